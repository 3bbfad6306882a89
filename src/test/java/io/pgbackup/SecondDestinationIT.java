package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.CuttingProxy;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A second destination (COPY_TO_*), end to end: real PostgreSQL 15 and two S3Proxy stores, each with keys of its own
 * (a client with the other's keys would be refused), so each store is reached with its own client.
 */
@Timeout(600)
class SecondDestinationIT {

    static final String DB = "copy_to_shop";
    static final String BULK_DB = "copy_to_bulk";
    static final String ROLE = "copy_to_user";
    static final String PASSWORD = "copy-to-pass";
    static final String PRIMARY_BUCKET = "primary-backups";
    static final String COPY_BUCKET = "offsite-backups";
    static final String COPY_ACCESS_KEY = "AKCOPYSTORE";
    static final String COPY_SECRET_KEY = "sk-copy-store-secret";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(PRIMARY_BUCKET, ROLE, PASSWORD)
            .withDatabase(DB, "CREATE TABLE orders (id int PRIMARY KEY, item text);"
                    + " INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 3000) g;"
                    + " GRANT SELECT ON orders TO " + ROLE + ";")
            // md5 text barely compresses: about 8 MiB of gzip, more than one 5 MiB part
            .withDatabase(BULK_DB, "CREATE TABLE blobs (id int, a text, b text, c text);"
                    + " INSERT INTO blobs SELECT g, md5(g::text), md5((g * 7)::text), md5((g * 13)::text)"
                    + " FROM generate_series(1, 150000) g; GRANT SELECT ON blobs TO " + ROLE + ";");

    static PostgresServer postgres;
    static S3Server primary;
    static S3Server copy;

    @TempDir
    Path workDir;

    @BeforeAll
    static void startServers() throws Exception {
        primary = SERVERS.s3();
        copy = S3Server.withKeys(COPY_ACCESS_KEY, COPY_SECRET_KEY);
        copy.createBucket(COPY_BUCKET);
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (copy != null) {
            copy.close();
        }
    }

    PgBackupProcess pgBackup() {
        return SERVERS.pgBackup(DB, "prod/").set("BACKUP_WORK_DIR", workDir.toString())
                .setAll(Map.of(
                        "COPY_TO_ENDPOINT", copy.endpoint(),
                        "COPY_TO_BUCKET", COPY_BUCKET,
                        "COPY_TO_PREFIX", "offsite/",
                        "COPY_TO_ACCESS_KEY", COPY_ACCESS_KEY,
                        "COPY_TO_SECRET_KEY", COPY_SECRET_KEY));
    }

    @Test
    void oneDumpIsStoredInBothStoresWithTheSameBytesAndEachItsOwnManifest() throws Exception {
        // pg_dump behind a wrapper that writes a line each time it starts
        Path starts = workDir.resolve("pg_dump-starts");
        Path wrapper = workDir.resolve("pg_dump");
        java.nio.file.Files.writeString(wrapper, "#!/bin/bash\necho started >> '" + starts + "'\nexec '"
                + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();

        PgBackupProcess.Result run = pgBackup().set("PG_DUMP_PATH", wrapper.toString()).run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String key = newest(primary.keys(PRIMARY_BUCKET), "prod/");
        String copyKey = "offsite/" + key.substring("prod/".length());
        assertThat(copy.keys(COPY_BUCKET)).contains(copyKey, copyKey + ".manifest.json");
        assertThat(sha256(copy.get(COPY_BUCKET, copyKey))).as("the same bytes in both stores")
                .isEqualTo(sha256(primary.get(PRIMARY_BUCKET, key)));
        String copyManifest = new String(copy.get(COPY_BUCKET, copyKey + ".manifest.json"), "UTF-8");
        assertThat(copyManifest).as("the copy's manifest names the copy's key")
                .containsPattern("\"key\"\\s*:\\s*\"" + Pattern.quote(copyKey) + "\"")
                .contains(sha256(primary.get(PRIMARY_BUCKET, key)));
        assertThat(java.nio.file.Files.readAllLines(starts)).as("one dump for both stores").hasSize(1);
        assertThat(run.all()).contains("copied: " + COPY_BUCKET + "/" + copyKey)
                .doesNotContain(COPY_SECRET_KEY);
    }

    @Test
    void listFromCopyShowsTheCopyStoresBackups() throws Exception {
        assertThat(pgBackup().run("backup").exitCode()).isZero();

        PgBackupProcess.Result fromCopy = pgBackup().run("list", "--from", "copy");
        PgBackupProcess.Result fromPrimary = pgBackup().run("list");

        assertThat(fromCopy.exitCode()).as(fromCopy.toString()).isZero();
        assertThat(fromCopy.stdout()).contains("offsite/").doesNotContain("prod/").contains("good");
        assertThat(fromPrimary.stdout()).contains("prod/").doesNotContain("offsite/");
    }

    @Test
    void restoreFallsBackToTheCopyWhenThePrimaryObjectIsGone() throws Exception {
        assertThat(pgBackup().run("backup").exitCode()).isZero();
        String key = newest(primary.keys(PRIMARY_BUCKET), "prod/");
        primary.client().deleteObject(b -> b.bucket(PRIMARY_BUCKET).key(key));

        PgBackupProcess.Result restore = pgBackup().run("restore", "--key", key, "--target-db", "copy_to_restored_1");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.all()).contains("restoring from the copy store (COPY_TO_BUCKET " + COPY_BUCKET);
        assertThat(count(restore.all(), "restoring from the copy store")).isEqualTo(1);
        assertThat(postgres.psql("copy_to_restored_1", "SELECT count(*) FROM orders").strip()).isEqualTo("3000");
    }

    @Test
    void restoreFromCopyReadsTheCopyEvenWhenThePrimaryIsFine() throws Exception {
        assertThat(pgBackup().run("backup").exitCode()).isZero();

        PgBackupProcess.Result restore = pgBackup().run("restore", "--from", "copy", "--target-db", "copy_to_restored_2");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.stdout()).contains("restored offsite/");
        assertThat(postgres.psql("copy_to_restored_2", "SELECT count(*) FROM orders").strip()).isEqualTo("3000");
    }

    @Test
    void aBackupOfSeveralObjectsIsCopiedWithItsContinuationsAndRestoresFromTheCopy() throws Exception {
        // ~8 MiB of gzip in 5 MiB parts, one part an object: KEY and KEY.part2 in each store (a database of its own:
        // the cut-copy tests look for the bulk database's objects)
        String db = "copy_to_parts";
        postgres.createDatabase(db);
        postgres.psql(db, "CREATE TABLE blobs (id int, a text, b text, c text);"
                + " INSERT INTO blobs SELECT g, md5(g::text), md5((g * 7)::text), md5((g * 13)::text)"
                + " FROM generate_series(1, 150000) g; GRANT SELECT ON blobs TO " + ROLE + ";");
        PgBackupProcess backup = pgBackup().set("DB_NAME", db).set("UPLOAD_PART_SIZE", "5242880")
                .set("UPLOAD_MAX_PARTS", "1");

        PgBackupProcess.Result run = backup.run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String key = primary.keys(PRIMARY_BUCKET).stream().filter(k -> k.startsWith("prod/") && k.contains("/" + db + "_")
                && k.endsWith(".sql.gz")).reduce((a, b) -> b).orElseThrow();
        String copyKey = "offsite/" + key.substring("prod/".length());
        assertThat(copy.keys(COPY_BUCKET)).contains(copyKey, copyKey + ".part2", copyKey + ".manifest.json");
        assertThat(sha256(copy.get(COPY_BUCKET, copyKey + ".part2"))).as("the continuation, the same bytes in both")
                .isEqualTo(sha256(primary.get(PRIMARY_BUCKET, key + ".part2")));
        String copyManifest = new String(copy.get(COPY_BUCKET, copyKey + ".manifest.json"), "UTF-8");
        assertThat(copyManifest).as("the copy's manifest lists the copy's objects")
                .contains("\"" + copyKey + ".part2\"").doesNotContain("prod/");
        PgBackupProcess.Result fromPrimary = backup.run("restore", "--key", key, "--target-db", "copy_to_parts_primary");
        assertThat(fromPrimary.exitCode()).as(fromPrimary.toString()).isZero();
        assertThat(fromPrimary.all()).as("an intact backup of several objects is read from the primary")
                .doesNotContain("restoring from the copy store");
        primary.client().deleteObject(b -> b.bucket(PRIMARY_BUCKET).key(key + ".part2"));

        PgBackupProcess.Result restore = backup.run("restore", "--key", key, "--target-db", "copy_to_restored_bulk");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.all()).as("the primary's continuation is missing: the copy is read")
                .contains("restoring from the copy store");
        assertThat(postgres.psql("copy_to_restored_bulk", "SELECT count(*), md5(string_agg(a || b || c, ',' ORDER BY id))"
                + " FROM blobs")).isEqualTo(postgres.psql(db,
                        "SELECT count(*), md5(string_agg(a || b || c, ',' ORDER BY id)) FROM blobs"));
    }

    @Test
    void copyStoreCutMidUploadKeepsThePrimaryAndFailsTheRunNamingTheCopyStore() throws Exception {
        List<String> primaryBefore = primary.keys(PRIMARY_BUCKET);

        PgBackupProcess.Result run = backupWithTheCopyStoreCut(pgBackup());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.all()).contains("stage=copy").contains("the copy store (COPY_TO_BUCKET " + COPY_BUCKET);
        List<String> added = primary.keys(PRIMARY_BUCKET).stream().filter(k -> !primaryBefore.contains(k)).toList();
        assertThat(added).as("the primary's object and manifest are kept").hasSize(2)
                .anyMatch(k -> k.endsWith(".manifest.json"));
        assertThat(copy.keys(COPY_BUCKET)).noneMatch(k -> k.contains(BULK_DB));
    }

    @Test
    void copyStoreFailingWithCopyNotRequiredOnlyWarns() throws Exception {
        PgBackupProcess.Result run = backupWithTheCopyStoreCut(pgBackup().set("COPY_TO_REQUIRED", "false"));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.all()).contains("WARN").contains("the copy store (COPY_TO_BUCKET " + COPY_BUCKET)
                .contains("COPY_TO_REQUIRED=false");
    }

    @Test
    void pruneFromCopyAppliesTheRetentionRulesToTheCopyStoreOnly() throws Exception {
        String database = "copy_to_prune";
        postgres.createDatabase(database);
        postgres.psql(database, "CREATE TABLE t (n int); GRANT SELECT ON t TO " + ROLE + ";");
        for (int i = 0; i < 2; i++) {
            assertThat(pgBackup().set("DB_NAME", database).run("backup").exitCode()).isZero();
        }

        PgBackupProcess.Result prune = pgBackup().set("RETENTION_KEEP_LAST", "1").run("prune", "--from", "copy");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout()).contains("DELETE\toffsite/").doesNotContain("\tprod/");
        assertThat(copy.keys(COPY_BUCKET).stream().filter(k -> k.contains(database + "_") && k.endsWith(".sql.gz")))
                .hasSize(1);
        assertThat(primary.keys(PRIMARY_BUCKET).stream().filter(k -> k.contains(database + "_") && k.endsWith(".sql.gz")))
                .as("the primary store is not touched").hasSize(2);
    }

    @Test
    void verifyFromCopyTestRestoresTheCopysBackup() throws Exception {
        assertThat(pgBackup().run("backup").exitCode()).isZero();

        PgBackupProcess.Result verify = pgBackup().run("verify", "--from", "copy");

        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.all()).contains("offsite/");
    }

    /** A backup of the bulk database (multipart: 5 MiB parts) whose copy store cuts every connection after 2 MiB. */
    private static PgBackupProcess.Result backupWithTheCopyStoreCut(PgBackupProcess pgBackup) throws Exception {
        try (CuttingProxy cut = new CuttingProxy(java.net.URI.create(copy.endpoint()).getPort(), 2 * 1024 * 1024)) {
            cut.arm();
            PgBackupProcess.Result run = pgBackup.set("DB_NAME", BULK_DB).set("UPLOAD_PART_SIZE", "5242880")
                    .set("COPY_TO_ENDPOINT", cut.endpoint()).run("backup");
            assertThat(cut.cuts()).as(run.toString()).isPositive();
            assertThat(copy.client().listMultipartUploads(b -> b.bucket(COPY_BUCKET)).uploads())
                    .as("the copy's multipart upload is aborted: no half object").isEmpty();
            return run;
        }
    }

    private static String newest(List<String> keys, String prefix) {
        return keys.stream().filter(k -> k.startsWith(prefix) && k.contains(DB + "_") && k.endsWith(".sql.gz"))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no backup of " + DB + " in " + keys));
    }

    private static int count(String text, String what) {
        Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
