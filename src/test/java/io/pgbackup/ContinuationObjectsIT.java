package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.FaultyHttpProxy;
import io.pgbackup.support.Gpg;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A backup larger than one object may hold (UPLOAD_MAX_PARTS parts of UPLOAD_PART_SIZE) goes on in continuation
 * objects KEY.part2, KEY.part3 ...: with the smallest parts (5 MiB) and a store limit of 2 (or 1) parts, a dump of
 * ~25 MB compressed (incompressible md5 text) takes 3 (or 5) objects. It is listed as one backup with its total size,
 * restores and verifies row for row, fails naming a missing or tampered continuation before any byte of it runs,
 * and prune and a failed backup remove every object of it. Real PostgreSQL 15, S3Proxy (SigV4), the packaged jar.
 */
@Timeout(900)
class ContinuationObjectsIT {

    static final String BUCKET = "continuations-it";
    static final String PASSWORD = "continuations pw";
    static final String DB = "continued_shop";
    /** ~45 MB of md5 text: ~25 MB gzip-compressed, more than two objects of two 5 MiB parts. */
    static final int ROWS = 450_000;
    static final String FIVE_MIB = "5242880";
    static final String CONTENTS = "SELECT count(*), md5(string_agg(payload, ',' ORDER BY id)) FROM public.blobs";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "continued_user", PASSWORD)
            .withDatabase(DB, """
                    CREATE TABLE public.blobs (id int PRIMARY KEY, payload text);
                    INSERT INTO public.blobs SELECT g, md5(random()::text) || md5(g::text) || md5(random()::text)
                      FROM generate_series(1, %d) g;
                    """.formatted(ROWS));

    static PostgresServer postgres;
    static S3Server s3;

    @AfterEach
    void noTemporaryDatabaseIsLeft() throws Exception {
        assertThat(postgres.psql("postgres", "SELECT datname FROM pg_database WHERE datname ~ '^pgbackup_(restore|verify)_'"))
                .as("temporary databases left").isBlank();
    }

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(300)
                .set("UPLOAD_PART_SIZE", FIVE_MIB)
                .set("UPLOAD_MAX_PARTS", "2");
    }

    /** A backup under {@code prefix}, which must succeed; returns its key (the first object's). */
    String backUp(PgBackupProcess process, String prefix) throws Exception {
        PgBackupProcess.Result backup = process.run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        List<String> keys = backupKeys(prefix);
        assertThat(keys).as("backups under " + prefix).isNotEmpty();
        return keys.get(keys.size() - 1);
    }

    /** The keys under {@code prefix} that name a backup (not a manifest, signature or continuation), in key order. */
    List<String> backupKeys(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && k.matches(".*\\.(gz|zst|gpg)")).sorted()
                .toList();
    }

    List<S3Object> under(String prefix) {
        return s3.allObjects(BUCKET).stream().filter(o -> o.key().startsWith(prefix)).toList();
    }

    /** The objects of backup {@code key} as its manifest lists them (key, bytes). */
    static List<JsonNode> listedObjects(JsonNode manifest) {
        List<JsonNode> objects = new ArrayList<>();
        manifest.get("objects").forEach(objects::add);
        return objects;
    }

    void assertRestoresRowForRow(PgBackupProcess process, String target) throws Exception {
        PgBackupProcess.Result restore = process.run("restore", "--target-db", target);
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(postgres.psql(target, CONTENTS)).isEqualTo(postgres.psql(DB, CONTENTS));
        } finally {
            postgres.dropDatabase(target);
        }
    }

    boolean databaseExists(String name) throws Exception {
        return !postgres.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = "
                + PostgresServer.quoteLiteral(name)).isBlank();
    }

    @Test
    void aBackupLargerThanTwoObjectsIsStoredInContinuationsListedAsOneAndRestoresAndVerifiesRowForRow()
            throws Exception {
        String key = backUp(pgBackup("plain/").set("VERIFY_DOWNLOAD", "true"), "plain/");

        // KEY, KEY.part2, KEY.part3: each at most two 5 MiB parts, the manifest listing them in order
        List<S3Object> stored = under("plain/").stream().filter(o -> !o.key().endsWith(".manifest.json")).toList();
        assertThat(stored).extracting(S3Object::key).containsExactlyInAnyOrder(key, key + ".part2", key + ".part3");
        JsonNode manifest = JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        List<JsonNode> objects = listedObjects(manifest);
        assertThat(objects).extracting(o -> o.get("key").asText()).containsExactly(key, key + ".part2", key + ".part3");
        long total = 0;
        MessageDigest whole = MessageDigest.getInstance("SHA-256");
        for (JsonNode object : objects) {
            byte[] bytes = s3.get(BUCKET, object.get("key").asText());
            assertThat(object.get("bytes").asLong()).isEqualTo(bytes.length);
            assertThat(bytes.length).isLessThanOrEqualTo(2 * 5 * 1024 * 1024);
            assertThat(object.get("parts").asInt()).isBetween(1, 2);
            total += bytes.length;
            whole.update(bytes);
        }
        assertThat(manifest.get("objectBytes").asLong()).isEqualTo(total);
        assertThat(manifest.get("objectSha256").asText()).isEqualTo(HexFormat.of().formatHex(whole.digest()));
        assertThat(manifest.get("chunkSha256")).hasSize((int) ((total + 8388607) / 8388608));

        // list: one backup, with the size of all its objects
        PgBackupProcess.Result list = pgBackup("plain/").run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout().lines().filter(l -> l.contains("plain/"))).singleElement().asString()
                .startsWith(key + " ").contains(" " + total + " ").contains("good");
        assertThat(list.stdout()).contains("1 backup(s): 1 good").doesNotContain(".part2");

        assertRestoresRowForRow(pgBackup("plain/"), "continued_copy");
        PgBackupProcess.Result verify = pgBackup("plain/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
    }

    /**
     * A deleted continuation fails restore and verify at the HEAD check, naming it, before anything is read; one put
     * back with a byte changed (its ETag now of a single PUT, not comparable) fails at the chunk it lies in, naming
     * the object; nothing is restored either time.
     */
    @Test
    void aMissingOrTamperedContinuationFailsRestoreAndVerifyNamingItWithNothingRestored() throws Exception {
        String key = backUp(pgBackup("tamper/"), "tamper/");
        byte[] original = s3.get(BUCKET, key + ".part2");

        s3.client().deleteObject(b -> b.bucket(BUCKET).key(key + ".part2"));
        PgBackupProcess.Result missing = pgBackup("tamper/").run("restore", "--target-db", "continued_missing");
        assertThat(missing.exitCode()).as(missing.toString()).isNotZero();
        assertThat(missing.all()).contains(key + ".part2 (object 2 of 3 of backup " + key + ") is missing")
                .contains("nothing of it was used");
        assertThat(databaseExists("continued_missing")).isFalse();
        PgBackupProcess.Result verify = pgBackup("tamper/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.all()).contains("test restore FAILED").contains(key + ".part2 (object 2 of 3");

        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 0x20;
        s3.put(BUCKET, key + ".part2", tampered);
        PgBackupProcess.Result restore = pgBackup("tamper/").run("restore", "--target-db", "continued_tampered");
        assertThat(restore.exitCode()).as(restore.toString()).isNotZero();
        assertThat(restore.all()).contains("stored again since").contains("differs from its manifest in chunk")
                .contains(key + ".part2 (its bytes ").contains("nothing of that chunk was used");
        assertThat(databaseExists("continued_tampered")).isFalse();
    }

    @Test
    void pruneDeletesEveryObjectOfABackupAndNothingOfTheOneItKeeps() throws Exception {
        String older = backUp(pgBackup("prune/"), "prune/");
        String newer = older;
        for (int attempt = 0; attempt < 3 && newer.equals(older); attempt++) {
            newer = backUp(pgBackup("prune/"), "prune/"); // a new key needs a new second
        }
        assertThat(newer).isNotEqualTo(older);
        assertThat(s3.keys(BUCKET)).contains(older + ".part3", newer + ".part3");

        PgBackupProcess.Result prune = pgBackup("prune/").set("RETENTION_KEEP_LAST", "1").run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(under("prune/")).extracting(S3Object::key).containsExactlyInAnyOrder(newer, newer + ".part2",
                newer + ".part3", newer + ".manifest.json");
    }

    /** BACKUP_FORMAT=custom, encrypted, UPLOAD_MAX_PARTS=1 (the smallest): an object a part, five or so of them. */
    @Test
    void anEncryptedCustomFormatBackupOfOnePartObjectsRestoresRowForRow() throws Exception {
        Gpg key = Gpg.newKey("Continued Ops", "curve25519", "ops pass");
        PgBackupProcess custom = pgBackup("custom/").set("BACKUP_FORMAT", "custom").set("UPLOAD_MAX_PARTS", "1")
                .set("ENCRYPTION_PUBLIC_KEYS", key.publicKeyFile().toString())
                .set("DECRYPTION_KEY_FILE", key.secretKeyFile().toString()).set("DECRYPTION_KEY_PASSPHRASE", "ops pass")
                .set("VERIFY_DOWNLOAD", "true");
        String stored = backUp(custom, "custom/");

        assertThat(stored).endsWith(".dump.gz.gpg");
        List<JsonNode> objects = listedObjects(JSON.readTree(s3.get(BUCKET, stored + ".manifest.json")));
        assertThat(objects).hasSizeGreaterThanOrEqualTo(3).allSatisfy(o -> assertThat(o.get("parts").asInt()).isOne());
        assertThat(s3.keys(BUCKET)).contains(stored + ".part" + objects.size());
        assertRestoresRowForRow(custom, "continued_custom");
    }

    /** A backup under {@code prefix} whose requests {@code dropped} picks are dropped on the way to the store: it fails. */
    PgBackupProcess.Result failingBackup(String prefix, java.util.function.Predicate<String> dropped) throws Exception {
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(java.net.URI.create(s3.endpoint()).getPort())
                .dropRequests(dropped)) {
            PgBackupProcess.Result run = pgBackup(prefix).set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint()).run("backup");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(proxy.dropped()).isPositive();
            return run;
        }
    }

    /** The manifest write fails: every object the backup stored is removed, its continuations too. */
    @Test
    void aBackupFailingAfterItsUploadRemovesEveryObjectItStored() throws Exception {
        PgBackupProcess.Result run = failingBackup("failed/",
                line -> line.startsWith("PUT ") && line.contains(".manifest.json"));

        assertThat(run.stderr()).contains("stage=manifest").contains(".part3: its backup failed")
                .contains(".part2: its backup failed");
        assertThat(under("failed/")).isEmpty();
    }

    /** The third object cannot be started: the two objects already completed are removed, no upload is left open. */
    @Test
    void anUploadFailingInItsThirdObjectRemovesTheTwoItCompleted() throws Exception {
        PgBackupProcess.Result run = failingBackup("halfway/",
                line -> line.startsWith("POST ") && line.contains(".part3?uploads"));

        assertThat(run.stderr()).contains("stage=upload").contains(".part2: its backup failed");
        assertThat(under("halfway/")).isEmpty();
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET).prefix("halfway/")).uploads()).isEmpty();
    }
}
