package io.pgbackup.run;

import java.util.Map;

/**
 * What a dump told about itself as it streamed past, whatever its format: plain SQL
 * ({@link io.pgbackup.dump.DumpStatistics}) or a custom-format archive ({@link io.pgbackup.dump.ArchiveStatistics}).
 * The run holds it ({@link DatabaseRun#dump}); the manifest is written from it.
 */
public interface DumpFacts {

    /** Bytes read so far (the raw dump size once the stream has ended). */
    long bytes();

    /** Whether the dump arrived whole (its end was seen where pg_dump puts it). */
    boolean isComplete();

    String serverVersion();

    String dumpVersion();

    /** Rows per table, in dump order; tables named as pg_dump's COPY names them (schema-qualified, quoted if needed). */
    Map<String, Long> rows();
}
