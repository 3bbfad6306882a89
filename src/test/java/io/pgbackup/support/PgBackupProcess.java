package io.pgbackup.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the application as a user does, with settings in environment variables, from the project folder (so ./routes
 * and ./application.properties are the ones used). The environment is a clean one: only PATH, HOME, LANG and the
 * settings given here, plus a free loopback MANAGEMENT_PORT on 127.0.0.1 unless given.
 * <p>
 * {@link #run} runs the command in this JVM by default ({@link InProcessRun}: {@code PgBackup.run} with that
 * environment, the same exit code, stdout and stderr with the log lines; no JVM start of 2-3 s per command).
 * Through the shipped launcher {@code bin/pg-backup COMMAND} instead (a JVM of its own with -Xmx200m: a change that
 * held a dump in heap fails the tests), whenever the run is about the launcher or the process:
 * <ul>
 * <li>{@link #launch} and {@link #runFor}: the service, signals, kills;</li>
 * <li>a class marked {@link OnLauncher}, or one command marked {@link #throughLauncher()} (heap-bound big dumps,
 * argv and child environment checks, one full backup and restore per major path);</li>
 * <li>a run given another working folder ({@link #in}), or a variable the launcher or the JVM reads
 * ({@link #PROCESS_VARIABLES}: JVM options such as a trust store, the Java, the locale, the log levels, which
 * logging reads once per JVM);</li>
 * <li>every run when the tests are started with {@code -Dpgbackup.launcher=all} (to compare).</li>
 * </ul>
 */
public final class PgBackupProcess {

    public static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    public static final Path JAR = PROJECT.resolve("target/pg-backup.jar");
    public static final Path LAUNCHER = PROJECT.resolve("bin/pg-backup");

    private final Map<String, String> env = new LinkedHashMap<>();
    private Path directory = PROJECT;
    private int timeoutSeconds = 180;
    private boolean throughLauncher;

    /** Variables that are about the process, not a setting: a run given one goes through the launcher. */
    public static final java.util.Set<String> PROCESS_VARIABLES = java.util.Set.of("JAVA_TOOL_OPTIONS",
            "PG_BACKUP_JAVA_OPTS", "PG_BACKUP_CDS", "PG_BACKUP_PRINT_JAVA", "PG_BACKUP_JAR", "JAVA", "JAVA_HOME",
            "PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LOG_LEVEL", "CAMEL_LOG_LEVEL");

    public PgBackupProcess set(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Leaves a variable out of the child's environment, even one this class sets by default (MANAGEMENT_HOST). */
    public PgBackupProcess without(String name) {
        env.put(name, null);
        return this;
    }

    public PgBackupProcess setAll(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public PgBackupProcess in(Path directory) {
        this.directory = directory;
        return this;
    }

    /** {@link #run} through bin/pg-backup in a JVM of its own (see the class comment for when that is needed). */
    public PgBackupProcess throughLauncher() {
        this.throughLauncher = true;
        return this;
    }

    public PgBackupProcess timeoutSeconds(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    public Map<String, String> env() {
        return env;
    }

    /** Starts a long-lived command (the service) and returns at once; see {@link Running}. */
    public Running launch(String... args) throws IOException {
        Process process = start(args);
        return new Running(process, new Collector(process.getInputStream()), new Collector(process.getErrorStream()));
    }

    /** A running instance: stop it gently (SIGTERM) or kill it (SIGKILL), then read what it printed. */
    public static final class Running {
        private final Process process;
        private final Collector out;
        private final Collector err;

        Running(Process process, Collector out, Collector err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        /** The JVM's process id (the launcher execs Java, so it is the same process). */
        public long pid() {
            return process.pid();
        }

        /** SIGKILL to the JVM, as an OOM killer or a forced stop would, then to what it had started (pg_dump...). */
        public void killWithChildren() throws InterruptedException {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        }

        public Result stop() throws InterruptedException {
            terminate(process);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return result();
        }

        /** Waits (at most {@code seconds}, then kills it) for a command that ends by itself, and reads what it printed. */
        public Result waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return result();
        }

        /** What the instance printed on stderr so far, while it runs. */
        public String peekStderr() {
            return err.snapshot();
        }

        public Result result() throws InterruptedException {
            return new Result(process.isAlive() ? -1 : process.exitValue(), out.text(), err.text());
        }
    }

    /** Runs a long-lived command (the service) for a while, then stops it as a user would (SIGTERM). */
    public Result runFor(java.time.Duration duration, String... args) throws IOException, InterruptedException {
        Process process = start(args);
        Collector out = new Collector(process.getInputStream());
        Collector err = new Collector(process.getErrorStream());
        Thread.sleep(duration.toMillis());
        terminate(process);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(process.exitValue(), out.text(), err.text());
    }

    public Result run(String... args) throws IOException, InterruptedException {
        if (!onLauncher()) {
            return InProcessRun.run(args, environment(new LinkedHashMap<>(System.getenv())), timeoutSeconds);
        }
        Process process = start(args);
        Collector out = new Collector(process.getInputStream());
        Collector err = new Collector(process.getErrorStream());
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("pg-backup " + String.join(" ", args) + " did not end within "
                    + timeoutSeconds + " s; stderr so far: " + err.text());
        }
        return new Result(process.exitValue(), out.text(), err.text());
    }

    private Process start(String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with 'mvn verify' (package comes first)");
        }
        List<String> argv = new ArrayList<>();
        argv.add("bash");
        argv.add(LAUNCHER.toString());
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile());
        environment(builder.environment());
        return builder.start();
    }

    /** Whether {@link #run} goes through the launcher (the class comment says when). */
    private boolean onLauncher() {
        return throughLauncher || "all".equals(System.getProperty("pgbackup.launcher"))
                || !directory.equals(PROJECT) || env.keySet().stream().anyMatch(PROCESS_VARIABLES::contains)
                || StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                        .walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                                .anyMatch(PgBackupProcess::markedOnLauncher));
    }

    private static boolean markedOnLauncher(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            if (c.isAnnotationPresent(OnLauncher.class)) {
                return true;
            }
        }
        return false;
    }

    /** The command's environment, made from {@code childEnv} (this process's): the launcher's child gets the same. */
    private Map<String, String> environment(Map<String, String> childEnv) throws IOException {
        childEnv.keySet().retainAll(List.of("PATH", "HOME", "LANG", "LC_ALL", "JAVA_HOME"));
        // the launcher execs this Java with the jar under test (same process id: signals reach the JVM)
        childEnv.put("JAVA", ProcessHandle.current().info().command().orElse("java"));
        childEnv.put("PG_BACKUP_JAR", JAR.toString());
        // a service's management server listens on loopback and a port of its own (several instances run at once)
        childEnv.put("MANAGEMENT_HOST", "127.0.0.1");
        childEnv.put("MANAGEMENT_PORT", Integer.toString(PostgresServer.freePort()));
        env.forEach((name, value) -> {
            if (value == null) {
                childEnv.remove(name);
            } else {
                childEnv.put(name, value);
            }
        });
        return childEnv;
    }

    /**
     * SIGTERM, as a user or an orchestrator sends it. Not {@code Process.destroy()}: that also closes our ends of
     * the child's pipes, so everything the child logs while it shuts down would be lost.
     */
    private static void terminate(Process process) {
        process.toHandle().destroy();
    }

    /** Reads a child's output as it comes, keeping what was read even if the stream ends abruptly. */
    private static final class Collector extends Thread {
        private final java.io.InputStream stream;
        private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

        Collector(java.io.InputStream stream) {
            super("pg-backup-output");
            this.stream = stream;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (stream) {
                int n;
                while ((n = stream.read(chunk)) >= 0) {
                    synchronized (buffer) {
                        buffer.write(chunk, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the child is gone; keep what was read
            }
        }

        String snapshot() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }

        String text() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(10));
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Exit code and the two output streams of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + "\n" + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }
}
