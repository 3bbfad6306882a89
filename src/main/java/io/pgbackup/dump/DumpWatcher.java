package io.pgbackup.dump;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.streams.BulkInputStream;

/**
 * A dump read whole as it streams past, each read handed to {@link #scan} and the end to {@link #end} (which throws
 * when the dump is incomplete, in place of the end of the stream): what {@link DumpStatistics} (plain SQL) and
 * {@link ArchiveStatistics} (a custom-format archive) share.
 */
abstract class DumpWatcher extends FilterInputStream implements DumpFacts {

    DumpWatcher(InputStream dump) {
        super(dump);
    }

    /** The bytes {@code buffer[offset, offset + length)} just read. */
    abstract void scan(byte[] buffer, int offset, int length) throws IOException;

    /** The dump ended (called once or more): throws when it is incomplete. */
    abstract void end() throws IOException;

    @Override
    public int read() throws IOException {
        return BulkInputStream.readOne(this);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n < 0) {
            end();
        } else {
            scan(buffer, offset, n);
        }
        return n;
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
