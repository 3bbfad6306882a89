package io.pgbackup.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.pgbackup.streams.WatchedInputStream;

/**
 * One child process of {@link StreamingCommandExecutor} with its stderr drain ({@link StderrTail}), stdin feeder and
 * timeout watchdog; its stdout, as the reader gets it, tells the child's failure at its end.
 */
final class RunningCommand {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pg-backup-exec-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final Process process;
    private final Set<Integer> exitValues;
    private final StderrTail stderr;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    /** The reader of stdout gave up (closed it before its end): nothing of this command matters any more. */
    private final AtomicBoolean abandoned = new AtomicBoolean();
    /** The input failed while it was read: the child was stopped before its input could end. */
    private final AtomicReference<Throwable> inputError = new AtomicReference<>();
    /** The child did not take its input (it ended or closed stdin first). */
    private final AtomicReference<Throwable> writeError = new AtomicReference<>();
    private final boolean readInputWhole;
    private Thread feeder;
    private ScheduledFuture<?> watchdog;
    private long timeoutMillis;

    RunningCommand(String name, Process process, Set<Integer> exitValues) {
        this(name, process, exitValues, false);
    }

    RunningCommand(String name, Process process, Set<Integer> exitValues, boolean readInputWhole) {
        this.readInputWhole = readInputWhole;
        this.name = name;
        this.process = process;
        this.exitValues = exitValues == null || exitValues.isEmpty() ? Set.of(0) : exitValues;
        this.stderr = new StderrTail(process.getErrorStream(), name);
    }

    void start(InputStream input, long timeout) {
        stderr.start();
        if (input != null) {
            feeder = new Thread(() -> feed(input), name + "-stdin");
            feeder.setDaemon(true);
            feeder.start();
        } else {
            closeQuietly(process.getOutputStream());
        }
        if (timeout > 0) {
            timeoutMillis = timeout;
            watchdog = WATCHDOG.schedule(() -> {
                timedOut.set(true);
                kill();
            }, timeout, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Copies the input to the child's stdin. A failure to read the input (the source's fault) kills the child
     * first and only then closes its stdin; a failure to write (the child ended early, e.g. psql stopping at an
     * error) is the child's own story, told by its exit code and stderr.
     */
    private void feed(InputStream input) {
        OutputStream stdin = process.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = input) {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (Throwable e) {
                    // any failure of the input, an Error too (OutOfMemoryError): the child dies before its stdin
                    // closes, or psql would take the end of its input for the end of the backup and commit
                    inputError.compareAndSet(null, e);
                    kill();
                    return;
                }
                if (n < 0) {
                    break;
                }
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException e) {
                    if (!readInputWhole) {
                        throw e;
                    }
                    // the child has read all it needs: the rest is read (and so checked) without it
                    closeQuietly(stdin);
                    drain(in, buffer);
                    return;
                }
            }
            stdin.close();
        } catch (Throwable e) {
            writeError.compareAndSet(null, e);
            kill();
        } finally {
            closeQuietly(stdin);
        }
    }

    /** Reads the rest of the input for its checks; a failure is the input's, as in {@link #feed}. */
    private void drain(InputStream in, byte[] buffer) {
        try {
            while (!timedOut.get() && !abandoned.get() && in.read(buffer) >= 0) {
                // read for the input's own checks only
            }
        } catch (Throwable e) {
            inputError.compareAndSet(null, e);
            kill();
        }
    }

    InputStream stdout() {
        return new WatchedInputStream(process.getInputStream()) {
            private boolean finished;

            /**
             * stdout failed under the reader ("Stream closed": the child was killed, by its timeout or because its
             * input failed): the child's own story is the one to tell, when it has one.
             */
            @Override
            protected IOException failed(Exception e) throws IOException {
                if (e instanceof IOException) {
                    atEnd();
                }
                return super.failed(e);
            }

            @Override
            protected void atEnd() throws IOException {
                if (!finished) {
                    finished = true;
                    awaitSuccess();
                }
            }

            @Override
            public void close() throws IOException {
                if (!finished) {
                    // closed before the end: the reader gave up, so the child must not live on
                    finished = true;
                    abandoned.set(true);
                    kill();
                    cancelWatchdog();
                }
                super.close();
            }
        };
    }

    /** Called at end of stdout: waits for the child and throws unless it ended well. */
    void awaitSuccess() throws IOException {
        int exit;
        try {
            exit = process.waitFor();
            if (feeder != null) {
                // reading the input whole may outlast the child (the rest of a download): the timeout bounds it
                while (readInputWhole && feeder.isAlive() && !timedOut.get() && !abandoned.get()) {
                    feeder.join(1000);
                }
                feeder.join(TimeUnit.SECONDS.toMillis(30));
            }
            stderr.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new CommandFailedException(name, "was interrupted", stderr.tail(), e);
        } finally {
            cancelWatchdog();
        }
        if (timedOut.get()) {
            throw new CommandFailedException(name,
                    "was killed after the " + (timeoutMillis / 1000) + " s timeout", stderr.tail(), null, true);
        }
        Throwable input = inputError.get();
        if (input != null) {
            throw new CommandFailedException(name, "was stopped before its input ended, because the input failed: "
                    + io.pgbackup.run.Failures.oneLine(input), "", input);
        }
        if (!exitValues.contains(exit)) {
            throw new CommandFailedException(name, "exited with code " + exit, stderr.tail(), null);
        }
        Throwable write = writeError.get();
        if (write != null) {
            throw new CommandFailedException(name, "did not read all of its input (" + write.getClass().getSimpleName()
                    + ": " + write.getMessage() + ")", stderr.tail(), write);
        }
    }

    /** Kills the child and whatever it started (a shell's children would otherwise keep stdout open). */
    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void cancelWatchdog() {
        if (watchdog != null) {
            watchdog.cancel(false);
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // nothing to feed anyway
        }
    }
}
