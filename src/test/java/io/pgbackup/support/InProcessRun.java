package io.pgbackup.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.pgbackup.PgBackup;
import io.pgbackup.logging.LogConfiguration;

import org.slf4j.LoggerFactory;

/**
 * One pg-backup command run in this JVM as the launcher's process would run it: {@code PgBackup.run} with the
 * environment the process would get (settings read from it by {@code {{env:NAME:default}}}, as in the launcher's JVM),
 * from the project folder, on a thread of its own with a time limit. What it printed, its log lines included (at the
 * levels the shipped LogConfiguration sets: INFO, Camel's WARN, the chatty and the secret-printing loggers capped),
 * is its stdout and stderr, as a process's would be. What belongs to the run is told by thread: its thread and the
 * threads it started (thread groups); the test's own servers keep printing to the test's stderr at the test's WARN.
 * One command at a time per JVM.
 */
final class InProcessRun {

    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String GROUP = "pg-backup-in-process-";
    /** When in-process backups ended, so that none overwrites another's key (guarded by ONE_AT_A_TIME). */
    private static final BackupSeconds BACKUP_SECONDS = new BackupSeconds();

    private InProcessRun() {
    }

    static PgBackupProcess.Result run(String[] args, Map<String, String> env, int timeoutSeconds)
            throws InterruptedException {
        String command = "pg-backup " + String.join(" ", args);
        if (!ONE_AT_A_TIME.tryLock(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(command + ": another in-process run held this JVM for " + timeoutSeconds
                    + " s (run concurrent commands through the launcher: PgBackupProcess.throughLauncher())");
        }
        List<BackupSeconds.Target> backups = Arrays.asList(args).contains("backup")
                ? BackupSeconds.targets(args, env) : List.of();
        if (!backups.isEmpty()) {
            try {
                BACKUP_SECONDS.waitForAFreeSecond(backups);
            } catch (InterruptedException e) {
                ONE_AT_A_TIME.unlock();
                throw e;
            }
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        ThreadGroup group = new ThreadGroup(GROUP + RUNS.incrementAndGet());
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(Logger.ROOT_LOGGER_NAME);
        Level testLevel = root.getLevel();
        TurboFilter testLevelOutside = new TurboFilter() {
            @Override
            public FilterReply decide(org.slf4j.Marker marker, Logger logger, Level level, String format,
                    Object[] params, Throwable t) {
                return !inRun() && !level.isGreaterOrEqual(testLevel) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        };
        Map<String, Level> shipped = LogConfiguration.levels(env);
        int[] code = {-1};
        Thread thread = new Thread(group, () -> {
            try {
                code[0] = PgBackup.run(args, env, Map.of(), out, err);
            } catch (Throwable e) {
                // what the JVM does with an exception main lets out: its trace on stderr, exit 1
                e.printStackTrace(err);
                code[0] = 1;
            }
        }, group.getName());
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        try {
            logging.addTurboFilter(testLevelOutside);
            // the levels the shipped LogConfiguration gives the run's LOG_LEVEL and CAMEL_LOG_LEVEL (root included)
            shipped.forEach((name, level) -> logging.getLogger(name).setLevel(level));
            System.setOut(new PrintStream(new ByThread(out, systemOut), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new ByThread(err, systemErr), true, StandardCharsets.UTF_8));
            thread.start();
            thread.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
            if (thread.isAlive()) {
                thread.interrupt();
                throw new IllegalStateException(command + " did not end within " + timeoutSeconds
                        + " s (in-process); stderr so far: " + text(stderr));
            }
        } finally {
            BACKUP_SECONDS.ended(backups);
            System.setOut(systemOut);
            System.setErr(systemErr);
            // the root's level cannot be null: it gets the test's back, the others none of their own
            shipped.keySet().forEach(name -> logging.getLogger(name).setLevel(name.equals(Logger.ROOT_LOGGER_NAME)
                    ? testLevel : null));
            logging.getTurboFilterList().remove(testLevelOutside);
            ONE_AT_A_TIME.unlock();
        }
        leftRunning(command, group);
        return new PgBackupProcess.Result(code[0], text(stdout), text(stderr));
    }

    /**
     * Whether the calling thread is pg-backup's: the run's, one it started, or one an earlier run started and keeps for
     * the JVM's life (the exec watchdog, the upload progress: static pools), as one run is on at a time.
     */
    private static boolean inRun() {
        for (ThreadGroup g = Thread.currentThread().getThreadGroup(); g != null; g = g.getParent()) {
            if (g.getName().startsWith(GROUP)) {
                return true;
            }
        }
        return false;
    }

    /** Non-daemon threads a finished run left behind (a pool not stopped: the JVM would not exit), told on stderr. */
    private static void leftRunning(String command, ThreadGroup group) throws InterruptedException {
        Thread[] threads = new Thread[group.activeCount() + 8];
        int n = group.enumerate(threads);
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (threads[i].isDaemon()) {
                continue;
            }
            threads[i].join(2000);
            if (threads[i].isAlive()) {
                names.append(' ').append(threads[i].getName());
            }
        }
        if (!names.isEmpty()) {
            System.err.println("in-process " + command + " left non-daemon thread(s) running:" + names);
        }
    }

    /** Writes of the run's threads to the run's stream, of every other thread to the test's. */
    private static final class ByThread extends java.io.OutputStream {
        private final PrintStream run;
        private final PrintStream test;

        ByThread(PrintStream run, PrintStream test) {
            this.run = run;
            this.test = test;
        }

        @Override
        public void write(int b) {
            (inRun() ? run : test).write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            (inRun() ? run : test).write(bytes, offset, length);
        }

        @Override
        public void flush() {
            run.flush();
            test.flush();
        }
    }

    private static String text(ByteArrayOutputStream buffer) {
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }
}
