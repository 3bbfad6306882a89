package io.pgbackup.dump;

import java.io.InputStream;

import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/** The dump stage's watch step: pg_dump's output read by the reader of its format, as it streams past. */
public final class DumpWatch {

    private DumpWatch() {
    }

    /**
     * Wraps the body (pg_dump's live stdout) in the reader of its format, as the run's stream format says (a
     * custom-format archive, {@link ArchiveStatistics}; else plain SQL, {@link DumpStatistics}), and records it on
     * the run ({@link DatabaseRun#dump}).
     */
    public static InputStream watch(Exchange exchange) throws InvalidPayloadException {
        InputStream out = exchange.getMessage().getMandatoryBody(InputStream.class);
        DumpWatcher facts = DatabaseRun.of(exchange).format().isArchive() ? new ArchiveStatistics(out)
                : new DumpStatistics(out, true);
        DatabaseRun.of(exchange).setDump(facts);
        return facts;
    }

    /** After the upload (upload.yaml): the plain dump's size, as the watch counted it, on the run. */
    public static void recordBytes(Exchange exchange) {
        DatabaseRun run = DatabaseRun.of(exchange);
        run.setRawBytes(run.dump().bytes());
    }
}
