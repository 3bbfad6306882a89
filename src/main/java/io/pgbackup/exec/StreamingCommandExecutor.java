package io.pgbackup.exec;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.pgbackup.streams.BulkInputStream;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecResult;

/**
 * Runs a command without holding its output: the result's stdout is the child's live pipe, so a dump of any size
 * flows straight into the next step. camel-exec's default executor reads all of stdout into memory and accepts any
 * exit code; this one checks the exit code when the stream ends and throws {@link CommandFailedException} from
 * {@code read()} instead of returning end-of-stream, so a dump cut short can never look complete.
 * <p>
 * The body given to the exec endpoint, if any, is fed to the child's stdin by a thread. When that body fails while it
 * is read (a download cut off, a checksum that does not match at its end), the child is killed <em>before</em> its
 * stdin is closed: psql commits when its input ends, so a failed input must never look like an ended one. The
 * command's {@code timeout} (ms) kills the child when exceeded. Stderr is drained continuously and its last error
 * lines kept for the failure (not the lines quoting rows or SQL: {@link ErrorLines}).
 * <p>
 * A {@link CommandWithEnvironment} runs with an environment built from scratch: the few variables of
 * {@link #INHERITED} from this process (PATH, HOME, locale, time zone), then the command's own. No other variable of
 * this process (its keys, passwords and URLs) reaches the child.
 * <p>
 * With {@link #setReadInputWhole readInputWhole} (pg_restore reading an archive), a child that stops reading early is
 * not a failure by itself (pg_restore reads only as far as the last entry it restores): the rest of the input is
 * still read to its end, and the child's stdout ends only once it was, so the input's own checks (a checked backup
 * stream compares its SHA-256 at its end) have spoken before the reader of stdout (psql) sees the end.
 */
public class StreamingCommandExecutor implements ExecCommandExecutor {

    private boolean readInputWhole;

    /** True: the input is read to its end even when the child stops reading it early (see the class comment). */
    public void setReadInputWhole(boolean readInputWhole) {
        this.readInputWhole = readInputWhole;
    }

    private static final int STDERR_TAIL_BYTES = 2048;

    /** What a child inherits from this process: where programs are, the home folder (libpq's ~/.postgresql), locale. */
    public static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
            "TZ", "TMPDIR");

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pg-backup-exec-watchdog");
        t.setDaemon(true);
        return t;
    });

    @Override
    public ExecResult execute(ExecCommand command) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(command.getExecutable());
        argv.addAll(command.getArgs());
        ProcessBuilder builder = new ProcessBuilder(argv);
        if (command.getWorkingDir() != null) {
            builder.directory(Path.of(command.getWorkingDir()).toFile());
        }
        if (command instanceof CommandWithEnvironment withEnvironment) {
            Map<String, String> environment = builder.environment();
            environment.clear();
            for (String name : INHERITED) {
                String value = System.getenv(name);
                if (value != null) {
                    environment.put(name, value);
                }
            }
            environment.putAll(withEnvironment.getEnvironment());
        }
        String name = Path.of(command.getExecutable()).getFileName().toString();
        Process process = builder.start();
        RunningCommand running = new RunningCommand(name, process, command.getExitValues(), readInputWhole);
        running.start(command.getInput(), command.getTimeout());
        return new ExecResult(command, running.stdout(), new ByteArrayInputStream(new byte[0]), 0);
    }

    /** One child process with its stderr drain, stdin feeder and timeout watchdog. */
    static final class RunningCommand {
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
            return new FilterInputStream(process.getInputStream()) {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    return BulkInputStream.readOne(this);
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n;
                    try {
                        n = super.read(buffer, offset, length);
                    } catch (IOException e) {
                        throw explained(e);
                    }
                    if (n < 0) {
                        finish();
                    }
                    return n;
                }

                /**
                 * stdout failed under the reader ("Stream closed": the child was killed, by its timeout or because its
                 * input failed): the child's own story is the one to tell, when it has one.
                 */
                private IOException explained(IOException e) throws IOException {
                    if (!finished) {
                        finished = true;
                        awaitSuccess();
                    }
                    return e;
                }

                private void finish() throws IOException {
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
                        + io.pgbackup.report.Failures.oneLine(input), "", input);
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
    }

    /**
     * Drains a child's stderr, keeping only its last lines worth telling ({@link ErrorLines}: its error lines, not the
     * lines that quote rows or SQL), so a chatty child never blocks nor fills the heap.
     */
    static final class StderrTail extends Thread {
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

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // nothing to feed anyway
        }
    }
}
