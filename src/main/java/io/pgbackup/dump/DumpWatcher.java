package io.pgbackup.dump;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.pgbackup.run.DumpFacts;
import io.pgbackup.streams.WatchedInputStream;

/**
 * A dump read whole as it streams past, each read counted and handed to {@link #scan}, and its end to {@link #end}
 * (which throws when the dump is incomplete, in place of the end of the stream): what {@link DumpStatistics} (plain
 * SQL) and {@link ArchiveStatistics} (a custom-format archive) share, with the bytes read and the rows per table.
 */
abstract class DumpWatcher extends WatchedInputStream implements DumpFacts {

    /** Rows per table, in dump order, as the subclass counts them. */
    final Map<String, Long> rows = new LinkedHashMap<>();
    private long bytes;
    private boolean ended;

    DumpWatcher(InputStream dump) {
        super(dump);
    }

    /** The bytes {@code buffer[offset, offset + length)} just read (already counted in {@link #bytes()}). */
    abstract void scan(byte[] buffer, int offset, int length) throws IOException;

    /** The dump ended (called once): throws when it is incomplete. */
    abstract void end() throws IOException;

    @Override
    protected final void chunk(byte[] buffer, int offset, int length) throws IOException {
        bytes += length;
        scan(buffer, offset, length);
    }

    @Override
    protected final void atEnd() throws IOException {
        if (!ended) {
            ended = true;
            end();
        }
    }

    /** Bytes read so far (the raw dump size once the stream has ended). */
    @Override
    public final long bytes() {
        return bytes;
    }

    /** Rows per table, in dump order; tables named as pg_dump's COPY names them (schema-qualified, quoted if needed). */
    @Override
    public final Map<String, Long> rows() {
        return Collections.unmodifiableMap(rows);
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("a dump is read whole");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
