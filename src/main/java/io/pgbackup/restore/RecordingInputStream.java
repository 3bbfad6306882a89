package io.pgbackup.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.streams.WatchedInputStream;

/**
 * The head of a stream as it is read, to be passed on again (the archive's table of contents: metadata only). Closing
 * it leaves the stream open: the stream goes on to pg_restore.
 */
final class RecordingInputStream extends WatchedInputStream {

    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    RecordingInputStream(InputStream in) {
        super(in);
    }

    @Override
    protected void chunk(byte[] buffer, int offset, int length) {
        recorded.write(buffer, offset, length);
    }

    byte[] recorded() {
        return recorded.toByteArray();
    }

    @Override
    public void close() {
        // the stream goes on to pg_restore
    }
}
