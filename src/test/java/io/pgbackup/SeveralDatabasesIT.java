package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * DB_NAME as a comma list or *, BACKUP_GLOBALS, zstd, and progress lines (backup.yaml, dump.yaml, compress.yaml),
 * on a PostgreSQL server of their own, so that * sees exactly the databases made here.
 */
@Timeout(600)
class SeveralDatabasesIT {

    static final String BUCKET = "several-it";
    static final String PASSWORD = "several pw";

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "several_user", PASSWORD).withSlack();

    @BeforeAll
    static void start() throws Exception {
        postgres.psql("postgres", "CREATE ROLE app_reader NOLOGIN");
        for (String db : List.of("alpha", "beta", "closed")) {
            postgres.createDatabase(db);
            postgres.psql(db, "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 10)");
        }
        postgres.psql("postgres", "ALTER DATABASE closed ALLOW_CONNECTIONS false");
    }

    PgBackupProcess pgBackup(String databases, String prefix) {
        return SERVERS.pgBackup(databases, prefix)
                .set("PG_DUMPALL_PATH", PostgresServer.BIN.resolve("pg_dumpall").toString());
    }

    List<String> keys(String prefix) {
        return s3.objects(BUCKET).stream().map(S3Object::key).filter(k -> k.startsWith(prefix)).sorted().toList();
    }

    @Test
    void aListBacksUpEachAndOneFailureDoesNotStopTheOthers() throws Exception {
        int slackBefore = slack.texts().size();

        PgBackupProcess.Result run = pgBackup("alpha, missing_db ,beta", "list/").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(keys("list/")).hasSize(2).anyMatch(k -> k.matches("list/\\d{4}/\\d{2}/\\d{2}/alpha_\\d{14}\\.sql\\.gz"))
                .anyMatch(k -> k.matches("list/\\d{4}/\\d{2}/\\d{2}/beta_\\d{14}\\.sql\\.gz"));
        assertThat(run.stderr()).contains("backup FAILED stage=dump database=missing_db")
                .contains("run over 3 databases: 2 ok, 1 failed: alpha ok; missing_db FAILED (dump: ");
        assertThat(slack.texts().subList(slackBefore, slack.texts().size())).singleElement().asString()
                .contains("FAILED: missing_db");
    }

    @Test
    void starMeansEveryDatabaseTheUserCanConnectToAndGlobalsGoBeside() throws Exception {
        PgBackupProcess.Result run = pgBackup("*", "star/").set("BACKUP_GLOBALS", "true").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> databases = keys("star/").stream().map(k -> k.substring(k.lastIndexOf('/') + 1, k.lastIndexOf('_'))).toList();
        List<String> expected = new java.util.ArrayList<>(List.of(postgres.psql("postgres",
                "SELECT string_agg(datname, ',') FROM pg_database WHERE datallowconn AND NOT datistemplate").strip().split(",")));
        expected.add("@globals");
        assertThat(expected).contains("alpha", "beta", "postgres").doesNotContain("closed", "template0", "template1");
        assertThat(databases).containsExactlyInAnyOrderElementsOf(expected);
        String globals = keys("star/").stream().filter(k -> k.contains("@globals_")).findFirst().orElseThrow();
        String roles = gunzip(s3.get(BUCKET, globals));
        assertThat(roles).contains("CREATE ROLE app_reader").contains("cluster dump complete").doesNotContain("SCRAM-SHA-256");
        assertThat(run.stderr()).contains("run over " + expected.size() + " databases: " + expected.size() + " ok, 0 failed");
    }

    @Test
    void zstdIsStoredAsSqlZstRestorableWithTheZstdTool() throws Exception {
        PgBackupProcess.Result run = pgBackup("alpha", "zstd/").set("BACKUP_COMPRESSION", "zstd").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String key = keys("zstd/").get(0);
        assertThat(key).endsWith(".sql.zst");
        Process zstd = new ProcessBuilder("zstd", "-dc").start();
        byte[] object = s3.get(BUCKET, key);
        Thread feeder = new Thread(() -> {
            try (var in = zstd.getOutputStream()) {
                in.write(object);
            } catch (java.io.IOException ignored) {
                // the exit code says it
            }
        });
        feeder.start();
        String sql = new String(zstd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(zstd.waitFor()).isZero();
        assertThat(sql).contains("COPY public.t (id) FROM stdin;").contains("PostgreSQL database dump complete");

        PgBackupProcess.Result restore = pgBackup("alpha", "zstd/").run("restore", "--target-db", "alpha_from_zstd", "--key", key);
        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(postgres.psql("alpha_from_zstd", "SELECT count(*) FROM t").strip()).isEqualTo("10");
    }

    /**
     * The roles backup restored onto a server that has some of its roles (among them the role pg-backup connects as,
     * whose CREATE ROLE would fail): the missing role comes back with its attributes, comment and membership, the
     * existing ones are left as they are and reported as skipped.
     */
    @Test
    void aRolesBackupRestoresOntoAServerThatHasSomeOfTheRoles() throws Exception {
        postgres.psql("postgres", "CREATE ROLE role_kept NOLOGIN; CREATE ROLE \"role lost\" LOGIN CONNECTION LIMIT 3;"
                + " COMMENT ON ROLE \"role lost\" IS 'gone, then back'; GRANT app_reader TO \"role lost\"");
        PgBackupProcess.Result backup = pgBackup("alpha", "roles/").set("BACKUP_GLOBALS", "true").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        postgres.psql("postgres", "DROP ROLE \"role lost\"");

        PgBackupProcess.Result restore = pgBackup("alpha", "roles/").run("restore", "--database", "@globals");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.stdout()).contains("onto the server: roles: 1 created");
        assertThat(restore.stderr()).contains("role several_user exists on this server: skipped")
                .contains("role role_kept exists on this server: skipped");
        assertThat(postgres.psql("postgres", "SELECT rolcanlogin || ' ' || rolconnlimit || ' '"
                + " || shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = 'role lost'").strip())
                .isEqualTo("true 3 gone, then back");
        assertThat(postgres.psql("postgres", "SELECT pg_has_role('role lost', 'app_reader', 'MEMBER')").strip()).isEqualTo("t");

        PgBackupProcess.Result again = pgBackup("alpha", "roles/").run("restore", "--database", "@globals");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("roles: 0 created");
    }

    /**
     * A backup that lasts several seconds, so a progress line every second shows up: pg_dump paced by a wrapper that
     * pauses 3 s part way (the duration is the point, not the size: no 140 MB database to make and dump).
     */
    @Test
    void aLongBackupLogsItsProgress() throws Exception {
        postgres.createDatabase("big");
        postgres.psql("big", "CREATE TABLE t AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 100000) g");
        java.nio.file.Path paced = java.nio.file.Files.createTempFile("paced-pg_dump", ".sh");
        java.nio.file.Files.writeString(paced, "#!/bin/sh\n'" + PostgresServer.BIN.resolve("pg_dump")
                + "' \"$@\" | { head -c 3000000; sleep 3; cat; }\n");
        paced.toFile().setExecutable(true);
        try {
            PgBackupProcess.Result run = pgBackup("big", "progress/").set("BACKUP_PROGRESS_INTERVAL_SECONDS", "1")
                    .set("UPLOAD_PART_SIZE", "5242880").set("PG_DUMP_PATH", paced.toString()).run("backup");

            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stderr()).containsPattern("backup of big in progress: dumped \\d+\\.\\d MiB, compressed \\d+\\.\\d MiB, "
                    + "uploaded \\d+\\.\\d MiB \\(\\d+\\.\\d MiB/s\\) after \\d+ s");
        } finally {
            java.nio.file.Files.deleteIfExists(paced);
        }
    }

    static String gunzip(byte[] data) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
