package io.pgbackup.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 server for tests: initdb in a temp folder, started on 127.0.0.1 and a free port. The server
 * refuses to run as root, so when the tests run as root it is started as the unprivileged "postgres" user.
 * Host connections need a password (scram-sha-256); the local socket trusts the superuser, which the tests use to
 * set up data.
 */
public final class PostgresServer implements AutoCloseable {

    public static final Path BIN = Path.of(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin"));
    public static final String SUPERUSER_PASSWORD = "superuser-secret";

    private static PostgresServer shared;

    private final Path root;
    private final Path data;
    private final Path socket;
    private final int port;

    private PostgresServer() throws IOException, InterruptedException {
        root = Files.createTempDirectory("pg-backup-it-pg");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = root.resolve("data");
        socket = root.resolve("sock");
        Files.createDirectories(data);
        Files.createDirectories(socket);
        Path pwfile = root.resolve("pwfile");
        Files.writeString(pwfile, SUPERUSER_PASSWORD + "\n");
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        if (isRoot()) {
            run(List.of("chown", "-R", "postgres", root.toString()), 30);
        }
        asServerUser(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + pwfile, "-E", "UTF8",
                "--locale=C.UTF-8"), 120);
        Files.deleteIfExists(pwfile);
        port = freePort();
        asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", root.resolve("postgres.log").toString(), "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + socket + " -c fsync=off", "start"), 90);
    }

    /** A server of its own (the caller closes it), for tests that need to know every database on it. */
    public static PostgresServer dedicated() throws IOException, InterruptedException {
        return new PostgresServer();
    }

    /** One server for the whole test JVM, stopped when the JVM exits. */
    public static synchronized PostgresServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = new PostgresServer();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The settings pg-backup needs to reach this server with its own pg_dump: host, port, PG_DUMP_PATH. */
    public Map<String, String> clientSettings() {
        return Map.of("DB_HOST", host(), "DB_PORT", Integer.toString(port()), "PG_DUMP_PATH", BIN.resolve("pg_dump").toString());
    }

    /**
     * Runs SQL as the superuser over the local socket; returns unaligned, tuples-only output. The database goes in
     * PGDATABASE, taken literally (a name like "host=... port=..." is a name, not a connection string).
     */
    public String psql(String database, String sql) throws IOException, InterruptedException {
        return asServerUser(List.of(BIN.resolve("psql").toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", socket.toString(), "-p", Integer.toString(port), "-U", "postgres", "-c", sql), 300, database);
    }

    /** The names of the databases LIKE {@code pattern}, comma-separated ("" when there is none). */
    public String databasesLike(String pattern) throws IOException, InterruptedException {
        return psql("postgres", "SELECT coalesce(string_agg(datname, ','), '') FROM pg_database WHERE datname LIKE "
                + quoteLiteral(pattern)).strip();
    }

    /** A table's contents as "rows:md5 of the rows' text in order": equal for tables holding the same rows. */
    public String contentHash(String database, String table) throws IOException, InterruptedException {
        return psql(database, "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                + " FROM " + table + " t").strip();
    }

    /**
     * Starts a psql session running {@code sql} in the background (e.g. holding a lock) and returns once the server
     * runs it (and, for a statement ending in pg_sleep, once it sleeps: every statement before it, a lock say, is
     * done); the caller kills it.
     */
    public Process hold(String database, String sql) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (isRoot()) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(List.of(BIN.resolve("psql").toString(), "-X", "-q", "-h", socket.toString(), "-p",
                Integer.toString(port), "-U", "postgres", "-c", sql));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PGDATABASE", database);
        Process process = builder.start();
        String running = "SELECT count(*) FROM pg_stat_activity WHERE datname = " + quoteLiteral(database)
                + " AND query = " + quoteLiteral(sql) + " AND state = 'active'"
                + (sql.contains("pg_sleep") ? " AND wait_event = 'PgSleep'" : "");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (psql("postgres", running).strip().equals("0")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("the session running " + sql + " did not start within 30 s");
            }
            Thread.sleep(50);
        }
        return process;
    }

    /** Ends a session started by {@link #hold}: kills the client and terminates its server backend. */
    public void release(Process holder) throws IOException, InterruptedException {
        holder.descendants().forEach(ProcessHandle::destroyForcibly);
        holder.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        psql("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()");
    }

    /**
     * Turns TLS on with a reload (no restart): the server presents {@code certificate} and {@code key} (PEM, see
     * {@link TestCertificates}); connections without TLS are still accepted, so each client's sslmode decides.
     */
    public void useTls(Path certificate, Path key) throws IOException, InterruptedException {
        Files.copy(certificate, data.resolve("server.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(key, data.resolve("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(data.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        if (isRoot()) {
            run(List.of("chown", "postgres", data.resolve("server.crt").toString(), data.resolve("server.key").toString()), 30);
        }
        psql("postgres", "ALTER SYSTEM SET ssl = on");
        psql("postgres", "SELECT pg_reload_conf()");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!psql("postgres", "SHOW ssl").strip().equals("on")) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the server did not turn TLS on within 30 s");
            }
            Thread.sleep(50);
        }
    }

    /** Creates a login role (superuser, so it can dump everything) with the given password. */
    public void createRole(String role, String password) throws IOException, InterruptedException {
        psql("postgres", "CREATE ROLE " + quoteIdent(role) + " LOGIN SUPERUSER PASSWORD " + quoteLiteral(password));
    }

    public void createDatabase(String name) throws IOException, InterruptedException {
        psql("postgres", "CREATE DATABASE " + quoteIdent(name));
    }

    public void dropDatabase(String name) throws IOException, InterruptedException {
        psql("postgres", "DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)");
    }

    /**
     * pg_dump --schema-only of a database, as text, for comparing two databases. The random keys of the
     * restrict / unrestrict meta-command lines (pg_dump 15.14 and later) differ per dump and are left out.
     */
    public String schema(String database) throws IOException, InterruptedException {
        return dumpSchema(database).replaceAll("(?m)^\\\\(un)?restrict .*$", "");
    }

    private String dumpSchema(String database) throws IOException, InterruptedException {
        return asServerUser(List.of(BIN.resolve("pg_dump").toString(), "--schema-only", "--no-owner",
                "-h", socket.toString(), "-p", Integer.toString(port), "-U", "postgres"), 300, database);
    }

    public static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    @Override
    public void close() {
        try {
            asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop"), 60);
        } catch (Exception ignored) {
            // best effort at shutdown
        }
        deleteTree(root);
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String asServerUser(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        return asServerUser(command, timeoutSeconds, null);
    }

    private static String asServerUser(List<String> command, int timeoutSeconds, String database)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (isRoot()) {
            argv.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        argv.addAll(command);
        return run(argv, timeoutSeconds, database);
    }

    static String run(List<String> argv, int timeoutSeconds) throws IOException, InterruptedException {
        return run(argv, timeoutSeconds, null);
    }

    static String run(List<String> argv, int timeoutSeconds, String database) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().putAll(Map.of("LC_ALL", "C.UTF-8"));
        if (database != null) {
            builder.environment().put("PGDATABASE", database);
        }
        builder.directory(Path.of("/tmp").toFile());
        Process process = builder.start();
        byte[] output;
        try (var in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out after " + timeoutSeconds + " s: " + argv);
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("exit " + process.exitValue() + " from " + argv.get(argv.size() > 4 && isRoot() ? 4 : 0)
                    + ": " + text);
        }
        return text;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files; nothing to lose
        }
    }
}
