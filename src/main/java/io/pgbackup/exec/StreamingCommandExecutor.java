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
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecResult;

/**
 * Runs a command without holding its output: the result's stdout is the child's live pipe, so a dump of any size
 * flows straight into the next step. camel-exec's default executor reads all of stdout into memory and accepts any
 * exit code; this one checks the exit code when the stream ends and throws {@link CommandFailedException} from
 * {@code read()} instead of returning end-of-stream, so a dump cut short can never look complete.
 * <p>
 * The body given to the exec endpoint, if any, is fed to the child's stdin by a thread. The command's
 * {@code timeout} (ms) kills the child when exceeded. Stderr is drained continuously and its tail kept for the error.
 */
public class StreamingCommandExecutor implements ExecCommandExecutor {

    private static final int STDERR_TAIL_BYTES = 2048;

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
            builder.environment().putAll(withEnvironment.getEnvironment());
        }
        String name = Path.of(command.getExecutable()).getFileName().toString();
        Process process = builder.start();
        RunningCommand running = new RunningCommand(name, process, command.getExitValues());
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
        private final AtomicReference<Throwable> feedError = new AtomicReference<>();
        private Thread feeder;
        private ScheduledFuture<?> watchdog;
        private long timeoutMillis;

        RunningCommand(String name, Process process, Set<Integer> exitValues) {
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

        private void feed(InputStream input) {
            try (InputStream in = input; OutputStream stdin = process.getOutputStream()) {
                in.transferTo(stdin);
            } catch (IOException | RuntimeException e) {
                feedError.compareAndSet(null, e);
                kill();
            }
        }

        InputStream stdout() {
            return new FilterInputStream(process.getInputStream()) {
                private boolean finished;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b < 0) {
                        finish();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    if (n < 0) {
                        finish();
                    }
                    return n;
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
                    feeder.join(TimeUnit.SECONDS.toMillis(30));
                }
                stderr.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new CommandFailedException(name, -1, "was interrupted", stderr.tail(), e);
            } finally {
                cancelWatchdog();
            }
            if (timedOut.get()) {
                throw new CommandFailedException(name, exit,
                        "was killed after the " + (timeoutMillis / 1000) + " s timeout", stderr.tail(), null, true);
            }
            Throwable fed = feedError.get();
            if (fed != null) {
                throw new CommandFailedException(name, exit, "could not be fed its input (" + fed.getClass().getSimpleName()
                        + ": " + fed.getMessage() + ")", stderr.tail(), fed);
            }
            if (!exitValues.contains(exit)) {
                throw new CommandFailedException(name, exit, "exited with code " + exit, stderr.tail(), null);
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

    /** Drains a child's stderr, keeping only its last bytes, so a chatty child never blocks nor fills the heap. */
    static final class StderrTail extends Thread {
        private final InputStream stream;
        private final byte[] ring = new byte[STDERR_TAIL_BYTES];
        private long total;

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
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buffer[i];
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone; what was read is kept
            }
        }

        synchronized String tail() {
            int length = (int) Math.min(total, ring.length);
            byte[] out = new byte[length];
            long start = total - length;
            for (int i = 0; i < length; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            return text.replaceAll("\\s*\\R\\s*", " | ");
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
