package io.pgbackup.exec;

import java.io.IOException;
import java.io.InputStream;

/**
 * Drains a child's stderr, keeping only its last lines worth telling ({@link ErrorLines}: its error lines, not the
 * lines that quote rows or SQL), so a chatty child never blocks nor fills the heap.
 */
final class StderrTail extends Thread {

    private static final int STDERR_TAIL_BYTES = 2048;

    private final InputStream stream;
    private final ErrorLines lines = new ErrorLines(STDERR_TAIL_BYTES);

    StderrTail(InputStream stream, String name) {
        super(name + "-stderr");
        this.stream = stream;
        setDaemon(true);
    }

    @Override
    public void run() {
        byte[] buffer = new byte[1024];
        try (InputStream in = stream) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (this) {
                    lines.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the child is gone; what was read is kept
        }
    }

    synchronized String tail() {
        return lines.tail();
    }
}
