package io.pgbackup.restore;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.streams.BulkInputStream;

/**
 * The head of a stream as it is read, to be passed on again (the archive's table of contents: metadata only). Closing
 * it leaves the stream open: the stream goes on to pg_restore.
 */
final class RecordingInputStream extends FilterInputStream {

    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    RecordingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        return BulkInputStream.readOne(this);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            recorded.write(buffer, offset, n);
        }
        return n;
    }

    byte[] recorded() {
        return recorded.toByteArray();
    }

    @Override
    public void close() {
        // the stream goes on to pg_restore
    }
}
