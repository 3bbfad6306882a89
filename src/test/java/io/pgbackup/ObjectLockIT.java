package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import io.pgbackup.support.LockingStoreStandIn;
import io.pgbackup.support.LockingStoreStandIn.Request;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3MockServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * Object Lock (OBJECT_LOCK_MODE, OBJECT_LOCK_DAYS) and UPLOAD_STORAGE_CLASS end to end: the packaged jar against real
 * PostgreSQL 15 and Adobe S3Mock (a store that takes lock headers and keeps retention), through a stand-in in front
 * of it that records every request and, where S3Mock does not, acts as a locked or archiving store does: it refuses
 * to delete a locked object and to read an archived one. S3Proxy (no Object Lock at all) is the store without it.
 */
@Timeout(600)
class ObjectLockIT {

    static final String BUCKET = "locked-it";
    static final String UNLOCKED_BUCKET = "unlocked-it";
    static final String DB = "lock_source";
    static final String BIG_DB = "lock_big";
    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");

    static PostgresServer postgres;
    static S3MockServer store;
    static LockingStoreStandIn standIn;

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.shared();
        store = S3MockServer.shared();
        store.createBucket(BUCKET, true);
        store.createBucket(UNLOCKED_BUCKET, false);
        standIn = new LockingStoreStandIn(store.port());
        postgres.createDatabase(DB);
        postgres.psql(DB, "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
                + " INSERT INTO accounts SELECT g, 'owner ' || g FROM generate_series(1, 300) g;");
        // about 8 MiB compressed: more than one 5 MiB part, so a multipart upload
        postgres.createDatabase(BIG_DB);
        postgres.psql(BIG_DB, "CREATE TABLE noise (id int, hex text);"
                + " INSERT INTO noise SELECT g, md5(random()::text) || md5(random()::text) FROM generate_series(1, 220000) g;");
    }

    @AfterEach
    void storeActsNormallyAgain() {
        standIn.lock(key -> false).archive(key -> false).refusePuts(key -> false);
    }

    @AfterAll
    static void stop() {
        if (standIn != null) {
            standIn.close();
        }
    }

    PgBackupProcess pgBackup(String database, String prefix) {
        return new PgBackupProcess().timeoutSeconds(240).setAll(Map.of(
                "DB_USER", "postgres",
                "DB_PASSWORD", PostgresServer.SUPERUSER_PASSWORD,
                "DB_NAME", database,
                "BUCKET_NAME", BUCKET,
                "BACKUP_PREFIX", prefix,
                "BACKUP_TIMEZONE", "Asia/Seoul",
                "PG_DUMPALL_PATH", PostgresServer.BIN.resolve("pg_dumpall").toString(),
                "PSQL_PATH", PostgresServer.BIN.resolve("psql").toString(),
                "RETRY_MAX", "0"))
                .setAll(postgres.clientSettings())
                .setAll(S3MockServer.clientSettings(standIn.endpoint()));
    }

    PgBackupProcess locked(String database, String prefix, String mode, int days) {
        return pgBackup(database, prefix).set("OBJECT_LOCK_MODE", mode).set("OBJECT_LOCK_DAYS", Integer.toString(days));
    }

    /** The request that wrote {@code key} whole: its PutObject or CreateMultipartUpload (exactly one). */
    static Request creation(List<Request> requests, String key) {
        List<Request> found = requests.stream().filter(r -> r.key().equals(key) && r.createsObject()).toList();
        assertThat(found).as("the write of " + key).hasSize(1);
        return found.get(0);
    }

    /**
     * Every object a backup writes (the backup itself, by one PutObject or by a multipart upload; its manifest; the
     * manifest's signature; the roles backup and its own) carries the lock, all of one backup with the same
     * retain-until OBJECT_LOCK_DAYS after the run; every PutObject carries its Content-MD5, which a store requires
     * with lock parameters; UPLOAD_STORAGE_CLASS goes on the backup objects only, so list still reads the manifests.
     */
    @Test
    void everyObjectABackupWritesCarriesItsLockAndOnlyTheBackupItsStorageClass() throws Exception {
        String prefix = "worm/";
        io.pgbackup.support.Gpg signer = io.pgbackup.support.Gpg.newKey("Lock Signer", "sign", "lock pass");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        PgBackupProcess.Result backup = locked(BIG_DB, prefix, "GOVERNANCE", 3).set("BACKUP_GLOBALS", "true")
                .set("UPLOAD_PART_SIZE", "5242880").set("UPLOAD_STORAGE_CLASS", "STANDARD_IA")
                .set("SIGNING_KEY_FILE", signer.secretKeyFile().toString()).set("SIGNING_KEY_PASSPHRASE", "lock pass")
                .run("backup");

        Instant after = Instant.now();
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        List<String> backups = store.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.contains(".manifest.json"))
                .toList();
        assertThat(backups).as("the database and the roles").hasSize(2);
        List<Request> requests = standIn.requests();
        assertThat(requests).as("the big one went up in parts")
                .anyMatch(r -> r.key().equals(keyOf(backups, BIG_DB)) && "POST".equals(r.method()));
        for (String key : backups) {
            Request object = creation(requests, key);
            String until = object.header("x-amz-object-lock-retain-until-date");
            assertThat(until).as(key).isNotNull();
            assertThat(Instant.parse(until)).isBetween(before.plus(Duration.ofDays(3)), after.plus(Duration.ofDays(3)));
            assertThat(object.header("x-amz-storage-class")).as(key).isEqualTo("STANDARD_IA");
            for (String written : List.of(key, key + ".manifest.json", key + ".manifest.json.asc")) {
                Request write = creation(requests, written);
                assertThat(write.header("x-amz-object-lock-mode")).as(written).isEqualTo("GOVERNANCE");
                assertThat(write.header("x-amz-object-lock-retain-until-date")).as(written).isEqualTo(until);
                if ("PUT".equals(write.method())) {
                    assertThat(write.header("content-md5")).as(written).isNotBlank();
                }
            }
            assertThat(creation(requests, key + ".manifest.json").header("x-amz-storage-class")).isNull();
            assertThat(creation(requests, key + ".manifest.json.asc").header("x-amz-storage-class")).isNull();
        }

        PgBackupProcess.Result list = pgBackup(BIG_DB, prefix).run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains("2 backup(s): 2 good");
    }

    static String keyOf(List<String> backups, String database) {
        return backups.stream().filter(k -> k.contains("/" + database + "_")).findFirst().orElseThrow();
    }

    /**
     * Retention never deletes a backup still under its lock, nor fails on it: prune lists it as LOCKED until the
     * store's retain-until (the stand-in would refuse the DELETE, as a locked store does) and exits 0; once the lock
     * has passed, the next prune deletes it with its manifest.
     */
    @Test
    void pruneListsALockedBackupAsLockedAndDeletesItOnceTheLockHasPassed() throws Exception {
        String prefix = "prune/";
        ZonedDateTime now = ZonedDateTime.now(SEOUL);
        String old = seed(prefix, now.minusDays(10));
        String recent = seed(prefix, now.minusHours(1));
        Instant until = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        retain(old, until);
        standIn.lock(key -> key.startsWith(old));

        PgBackupProcess.Result prune = locked("shop", prefix, "GOVERNANCE", 1).set("RETENTION_KEEP_LAST", "1").run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout()).contains("KEEP\t" + old + "\tLOCKED until " + until).contains("(1 LOCKED)")
                .contains("deleted 0");
        assertThat(prune.stderr()).contains("LOCKED until " + until);
        assertThat(store.keys(BUCKET)).contains(old, old + ".manifest.json", recent);
        assertThat(standIn.requests()).noneMatch(r -> "DELETE".equals(r.method()) && r.key().startsWith(old));

        // the lock passes (shortened here: S3Mock keeps only future dates), and the store lets the object go
        Instant soon = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        retain(old, soon);
        standIn.lock(key -> false);
        for (int i = 0; i < 100 && !Instant.now().isAfter(soon); i++) {
            Thread.sleep(100);
        }
        PgBackupProcess.Result after = locked("shop", prefix, "GOVERNANCE", 1).set("RETENTION_KEEP_LAST", "1").run("prune");

        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(after.stdout()).contains("DELETE\t" + old).contains("deleted 1").doesNotContain("LOCKED");
        assertThat(store.keys(BUCKET)).doesNotContain(old, old + ".manifest.json").contains(recent);
    }

    /** A backup of database shop at {@code time} (Seoul), with a good manifest; returns its key. */
    static String seed(String prefix, ZonedDateTime time) {
        String key = prefix + time.format(DateTimeFormatter.ofPattern("yyyy/MM/dd")) + "/shop_"
                + time.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + ".sql.gz";
        store.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("dummy"));
        store.client().putObject(b -> b.bucket(BUCKET).key(key + ".manifest.json"),
                RequestBody.fromString("{\"format\":1,\"key\":\"" + key + "\",\"objectBytes\":5}"));
        return key;
    }

    static void retain(String key, Instant until) {
        store.client().putObjectRetention(b -> b.bucket(BUCKET).key(key).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(until)));
    }

    /**
     * A backup that fails after its object was stored tries to remove it; when the store refuses because the object
     * is locked, the failure alert says that a broken object remains locked and until when, and the object, which has
     * no manifest, is never counted as a good backup.
     */
    @Test
    void aFailedBackupWhoseObjectIsLockedSaysSoInItsAlertAndNeverCountsAsGood() throws Exception {
        String prefix = "broken/";
        standIn.refusePuts(key -> key.startsWith(prefix) && key.endsWith(".manifest.json"));
        standIn.lock(key -> key.startsWith(prefix) && key.endsWith(".sql.gz"));
        try (WebhookStandIn slack = new WebhookStandIn()) {
            PgBackupProcess.Result backup = locked(DB, prefix, "COMPLIANCE", 2).set("SLACK_WEBHOOK_URL", slack.url())
                    .run("backup");

            assertThat(backup.exitCode()).as(backup.toString()).isNotZero();
            List<String> objects = store.keys(BUCKET).stream().filter(k -> k.startsWith(prefix)).toList();
            assertThat(objects).as("the object, without a manifest").singleElement().asString().endsWith(".sql.gz");
            String key = objects.get(0);
            assertThat(standIn.requests()).as("its removal was tried")
                    .anyMatch(r -> "DELETE".equals(r.method()) && r.key().equals(key));
            String line = "the broken object " + BUCKET + "/" + key + " remains LOCKED until ";
            assertThat(backup.stderr()).contains(line);
            assertThat(slack.texts()).singleElement().asString().contains(line)
                    .contains("it has no manifest, so it is never counted as a good backup");
        }
        PgBackupProcess.Result list = pgBackup(DB, prefix).run("list");
        assertThat(list.stdout()).contains("1 backup(s): 1 unchecked");
    }

    /**
     * With OBJECT_LOCK_MODE set, a store or bucket without Object Lock stops the run at its start with one line
     * naming the setting, before anything is dumped or stored: S3Proxy (no Object Lock in the store), and an S3Mock
     * bucket created without it.
     */
    @ParameterizedTest
    @CsvSource({"s3proxy, does not have Object Lock enabled", "unlocked bucket, shows no Object Lock configuration"})
    void aStoreOrBucketWithoutObjectLockGetsOneClearLineAndNothingIsWritten(String which, String problem) throws Exception {
        try (S3Server s3proxy = new S3Server()) {
            s3proxy.createBucket(BUCKET);
            PgBackupProcess run = locked(DB, "nolock/", "GOVERNANCE", 1);
            if (which.equals("s3proxy")) {
                run.setAll(s3proxy.clientSettings()).set("OBJECT_STORAGE_REGION", S3Server.REGION);
            } else {
                run.set("BUCKET_NAME", UNLOCKED_BUCKET);
            }

            PgBackupProcess.Result backup = run.run("backup");

            assertThat(backup.exitCode()).as(backup.toString()).isNotZero();
            // (Camel's own "Failed delivery" warning comes with every failed run: FailuresIT counts attempts with it)
            assertThat(backup.all().lines().filter(l -> l.contains("Object Lock") && !l.contains("Failed delivery for")))
                    .as(backup.toString()).singleElement()
                    .asString().contains("OBJECT_LOCK_MODE=GOVERNANCE but ").contains(problem)
                    .contains("use a bucket created with Object Lock enabled, or empty OBJECT_LOCK_MODE");
            assertThat(backup.all()).doesNotContain("\tat ").doesNotContain("backup of " + DB + " started");
            assertThat(s3proxy.keys(BUCKET)).isEmpty();
            assertThat(store.keys(UNLOCKED_BUCKET)).isEmpty();
        }
    }

    /**
     * UPLOAD_STORAGE_CLASS reaches the store; a restore of a backup in an archive class that was not restored from the
     * archive (the store answers 403 InvalidObjectState) says in one plain line to restore it in the console first.
     */
    @Test
    void anArchivedBackupsRestoreSaysInOneLineToRestoreItFromTheArchiveFirst() throws Exception {
        String prefix = "cold/";
        PgBackupProcess.Result backup = pgBackup(DB, prefix).set("UPLOAD_STORAGE_CLASS", "DEEP_ARCHIVE").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String key = store.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && k.endsWith(".sql.gz")).findFirst()
                .orElseThrow();
        assertThat(store.client().headObject(b -> b.bucket(BUCKET).key(key)).storageClassAsString()).isEqualTo("DEEP_ARCHIVE");
        standIn.archive(key::equals);

        PgBackupProcess.Result restore = pgBackup(DB, prefix).run("restore", "--target-db", "lock_cold_target");

        assertThat(restore.exitCode()).as(restore.toString()).isNotZero();
        assertThat(restore.all().lines().filter(l -> l.contains("archive"))).as(restore.toString()).singleElement()
                .asString().contains(BUCKET + "/" + key + " is in archive storage and cannot be read until it is restored"
                        + " from the archive: restore it in the console first (NCP: Object Storage > restore from archive");
        assertThat(restore.all()).doesNotContain("\tat ").doesNotContain("InvalidObjectState");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'lock_cold_target'")
                .strip()).isEqualTo("0");
    }
}
