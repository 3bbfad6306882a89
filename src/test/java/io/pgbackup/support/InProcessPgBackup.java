package io.pgbackup.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgbackup.PgBackup;
import io.pgbackup.settings.Setting;
import io.pgbackup.settings.SettingsDeclaration;

/**
 * Runs one pg-backup command in this JVM through {@code PgBackup.run} (what the launcher's main does, without a new
 * JVM: a start-up check is proven in a tenth of the time), with settings given by their environment variable's name
 * as users give them. Every server the app could reach (the database, the store, Secret Manager, the heartbeat URL, a
 * second store) is one loopback port that counts connections: {@link #connections()} zero proves nothing was dumped,
 * stored or asked for. What the run printed, its logs included, is in {@link Result#all()}.
 */
public final class InProcessPgBackup implements AutoCloseable {

    private final ServerSocket watched = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, String> variables = new LinkedHashMap<>();
    /** The process's environment as a launched command would inherit it: where programs are (PATH), nothing else. */
    private final Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "")));

    public InProcessPgBackup() throws IOException {
        Thread acceptor = new Thread(() -> {
            while (!watched.isClosed()) {
                try (Socket ignored = watched.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "in-process-watched-port");
        acceptor.setDaemon(true);
        acceptor.start();
        String server = "http://127.0.0.1:" + watched.getLocalPort();
        set("DB_HOST", "127.0.0.1").set("DB_PORT", Integer.toString(watched.getLocalPort()))
                .set("DB_USER", "in_process_user").set("DB_PASSWORD", "in-process pw").set("DB_NAME", "shop")
                .set("BUCKET_NAME", "in-process").set("OBJECT_STORAGE_ENDPOINT", server)
                .set("SECRET_MANAGER_URL", server).set("RETRY_MAX", "0")
                .set("PSQL_PATH", PostgresServer.BIN.resolve("psql").toString())
                .set("PG_DUMP_PATH", PostgresServer.BIN.resolve("pg_dump").toString())
                .set("MANAGEMENT_PORT", Integer.toString(freePort()));
    }

    /** A loopback URL of the watched port, for a setting that names a server (HEARTBEAT_URL, COPY_TO_ENDPOINT). */
    public String url(String path) {
        return "http://127.0.0.1:" + watched.getLocalPort() + path;
    }

    public int port() {
        return watched.getLocalPort();
    }

    /** A setting by its environment variable's name; an empty value stands for an unset variable. */
    public InProcessPgBackup set(String variable, String value) {
        variables.put(variable, value == null ? "" : value);
        return this;
    }

    /** What pg-backup reads from the process's environment itself: PG_BACKUP_CONFIG, ROUTES_DIR, PATH. */
    public InProcessPgBackup env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Connections the app made to any server so far. */
    public int connections() {
        return connections.get();
    }

    /** Runs {@code args}; its exit code, stdout and stderr (with anything logged meanwhile). */
    public synchronized Result run(String... args) {
        Map<String, String> settings = new HashMap<>();
        SettingsDeclaration declared = SettingsDeclaration.builtIn();
        variables.forEach((variable, value) -> settings.put(key(declared, variable), value));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream logStream = new PrintStream(logs, true, StandardCharsets.UTF_8);
        System.setOut(logStream);
        System.setErr(logStream);
        int code;
        try {
            code = PgBackup.run(args, env, settings, outStream, errStream);
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                logs.toString(StandardCharsets.UTF_8));
    }

    private static String key(SettingsDeclaration declared, String variable) {
        return declared.all().stream().filter(s -> s.variable().equals(variable)).map(Setting::key).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting " + variable + " is declared"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        watched.close();
    }

    /** A run's exit code and what it printed ({@code logs}: what went to System.out / System.err meanwhile). */
    public record Result(int exitCode, String stdout, String stderr, String logs) {

        public String all() {
            return stdout + stderr + logs;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "--- logs\n" + logs;
        }
    }
}
