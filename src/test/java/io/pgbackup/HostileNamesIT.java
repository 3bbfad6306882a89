package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.pgbackup.storage.BackupKey;
import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Names are data. On a PostgreSQL server of its own, whoever may CREATE DATABASE makes names meant to steer pg-backup:
 * a connection string pointing at a listener here (which must never be contacted), quotes that camel-exec's tokenizer
 * would split into an extra {@code --file} argument, {@code =}, spaces, a leading space, {@code /}, {@code ..}, a line
 * break, Hangul. DB_NAME=* backs each one up as itself, under a key of its own in its own date folder, and each one
 * restores.
 */
@Timeout(600)
class HostileNamesIT {

    static final String BUCKET = "hostile-it";
    static final String PASSWORD = "hostile pw";
    static final Path PWNED = Path.of("/tmp/pgbackup-hostile-pwned");

    static PostgresServer postgres;
    static S3Server s3;
    static ServerSocket listener;
    static final AtomicInteger contacted = new AtomicInteger();
    static List<String> names;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "hostile_user", PASSWORD);

    @BeforeAll
    static void start() throws Exception {
        Files.deleteIfExists(PWNED);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket ignored = listener.accept()) {
                    contacted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "hostile-listener");
        accept.setDaemon(true);
        accept.start();
        names = List.of(
                "host=127.0.0.1 port=" + listener.getLocalPort() + " dbname=postgres",
                "x\" \"--file=" + PWNED,
                "a=b",
                "it's \"quoted\"",
                "with space",
                " leading space",
                "a/b",
                "..",
                "new\nline",
                "상점 데이터");
        for (int i = 0; i < names.size(); i++) {
            postgres.createDatabase(names.get(i));
            postgres.psql(names.get(i), "CREATE TABLE t (id int, label text); INSERT INTO t SELECT g, "
                    + PostgresServer.quoteLiteral(names.get(i)) + " FROM generate_series(1, " + (i + 1) + ") g");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
    }

    PgBackupProcess pgBackup(String databases, String prefix) {
        return SERVERS.pgBackup(databases, prefix);
    }

    @Test
    void everyNameIsBackedUpAsItselfAndNothingElseIsContacted() throws Exception {
        PgBackupProcess.Result run = pgBackup("*", "star/").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(contacted.get()).as("connections to the listener a database name pointed at").isZero();
        assertThat(PWNED).as("no --file argument reached pg_dump").doesNotExist();
        List<String> keys = s3.keys(BUCKET).stream().filter(k -> k.startsWith("star/") && !k.endsWith(".manifest.json")).toList();
        List<String> backedUp = new ArrayList<>();
        for (String key : keys) {
            String rest = key.substring("star/".length());
            assertThat(rest).as("YYYY/MM/DD/one segment: %s", key).matches("\\d{4}/\\d{2}/\\d{2}/[^/]+");
            backedUp.add(BackupKey.parse(key, "star/").orElseThrow().database());
        }
        assertThat(backedUp).containsAll(names).contains("postgres").doesNotHaveDuplicates();
        assertThat(run.stderr()).contains("run over " + keys.size() + " databases: " + keys.size() + " ok, 0 failed");
    }

    /** Each hostile name restores: the connection-string one into a plain name, and a plain one into a hostile name. */
    @Test
    void hostileNamesRestoreBothWays() throws Exception {
        String conninfo = names.get(0);
        String newline = names.get(8);
        assertThat(pgBackup(conninfo + "," + "with space", "pair/").run("backup").exitCode()).isZero();
        assertThat(pgBackup(newline, "nl/").run("backup").exitCode()).isZero();
        try {
            PgBackupProcess.Result first = pgBackup(conninfo, "pair/").run("restore", "--target-db", "restored_conninfo");
            assertThat(first.exitCode()).as(first.toString()).isZero();
            assertThat(postgres.psql("restored_conninfo", "SELECT count(*) || ' ' || min(label) FROM t").strip())
                    .isEqualTo("1 " + conninfo);

            String target = "restored \"x\" 'y' = z\nline";
            PgBackupProcess.Result second = pgBackup(newline, "nl/").run("restore", "--target-db", target);
            assertThat(second.exitCode()).as(second.toString()).isZero();
            assertThat(postgres.psql(target, "SELECT count(*) FROM t").strip()).isEqualTo("9");
            assertThat(contacted.get()).isZero();
        } finally {
            postgres.dropDatabase("restored_conninfo");
            postgres.dropDatabase("restored \"x\" 'y' = z\nline");
        }
    }

    /** A real database named @globals (the roles backup's name) is not backed up, and the run says so; the rest are. */
    @Test
    void aRealDatabaseNamedGlobalsIsRefusedAndTheOthersAreBackedUp() throws Exception {
        postgres.createDatabase("@globals");
        try {
            PgBackupProcess.Result run = pgBackup("*", "refuse/").run("backup");

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.stderr()).contains("backup FAILED stage=list-databases database=@globals")
                    .contains("the server has a database named '@globals'");
            List<String> keys = s3.keys(BUCKET).stream().filter(k -> k.startsWith("refuse/") && !k.endsWith(".manifest.json"))
                    .toList();
            assertThat(keys).noneMatch(k -> k.contains("@globals")).hasSizeGreaterThanOrEqualTo(names.size());
        } finally {
            postgres.dropDatabase("@globals");
        }
    }
}
