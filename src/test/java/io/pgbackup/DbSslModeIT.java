package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.TestCertificates;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DB_SSLMODE=verify-full against a PostgreSQL with TLS, its certificate made at test time by a throw-away CA
 * (DB_SSLROOTCERT) for the name "localhost" only: reached as localhost a backup is stored, reached as 127.0.0.1 (a
 * name the certificate does not carry) it is refused and nothing is stored; and the clustered scheduler's JDBC
 * connection (SCHEDULER_JDBC_URL) gets the same sslmode: the service starts through localhost and refuses 127.0.0.1.
 * The server is the class's own (TLS on the shared one would change what other classes test).
 */
@Timeout(300)
class DbSslModeIT {

    static final String DB = "tls_source";
    static final String BUCKET = "tls-it";
    static final String NEVER = "0 0 3 1 1 ? 2099";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "tls_user", "tls pw");

    @TempDir
    static Path folder;

    static TestCertificates certificates;

    @BeforeAll
    static void serverWithTls() throws Exception {
        certificates = TestCertificates.forServerName(folder, "localhost");
        PostgresServer postgres = SERVERS.postgres();
        postgres.useTls(certificates.serverCertificate(), certificates.serverKey());
        postgres.createDatabase(DB);
        postgres.createDatabase("tls_scheduler");
        postgres.psql(DB, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g");
    }

    PgBackupProcess verifyFull(String prefix, String host) {
        return SERVERS.pgBackup(DB, prefix).set("DB_HOST", host).set("DB_SSLMODE", "verify-full")
                .set("DB_SSLROOTCERT", certificates.caCertificate().toString());
    }

    @Test
    void verifyFullWithTheServersNameAndCaStoresTheBackup() throws Exception {
        PgBackupProcess.Result backup = verifyFull("named/", "localhost").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(SERVERS.s3().keys(BUCKET)).as(backup.toString()).anyMatch(k -> k.startsWith("named/") && k.endsWith(".sql.gz"));
    }

    @Test
    void verifyFullRefusesACertificateThatDoesNotNameTheHostAndStoresNothing() throws Exception {
        PgBackupProcess.Result backup = verifyFull("unnamed/", "127.0.0.1").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isNotZero();
        assertThat(backup.stderr()).as(backup.toString()).contains("does not match host name \"127.0.0.1\"");
        assertThat(SERVERS.s3().keys(BUCKET)).noneMatch(k -> k.startsWith("unnamed/"));
    }

    @Test
    void theSchedulersJdbcConnectionVerifiesTheCertificateByDbSslmode() throws Exception {
        PgBackupProcess.Running named = scheduler("localhost").launch();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!named.peekStderr().contains("pg-backup service started") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(named.peekStderr()).contains("pg-backup service started")
                    .contains("Quartz JDBC job store at jdbc:postgresql://localhost:" + SERVERS.postgres().port()
                            + "/tls_scheduler?sslmode=verify-full&sslrootcert=");
            String tlsSessions = SERVERS.postgres().psql("postgres", "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a"
                    + " USING (pid) WHERE a.datname = 'tls_scheduler' AND s.ssl");
            assertThat(Integer.parseInt(tlsSessions.strip())).as("the scheduler's connections use TLS").isPositive();
        } finally {
            assertThat(named.stop().exitCode()).isZero();
        }

        PgBackupProcess.Result unnamed = scheduler("127.0.0.1").timeoutSeconds(90).run();
        assertThat(unnamed.exitCode()).as(unnamed.toString()).isNotZero();
        assertThat(unnamed.stderr()).as(unnamed.toString()).contains("SCHEDULER_JDBC_URL: cannot prepare the Quartz tables")
                .contains("127.0.0.1").doesNotContain("pg-backup service started");
    }

    PgBackupProcess scheduler(String host) {
        return verifyFull("scheduled/", "localhost").set("BACKUP_CRON", NEVER)
                .set("SCHEDULER_JDBC_URL", "jdbc:postgresql://" + host + ":" + SERVERS.postgres().port() + "/tls_scheduler")
                .set("SCHEDULER_JDBC_USER", "postgres")
                .set("SCHEDULER_JDBC_PASSWORD", PostgresServer.SUPERUSER_PASSWORD);
    }
}
