package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgbackup.compress.GzipMembersInputStream;
import io.pgbackup.support.BackupServers;
import io.pgbackup.support.Gpg;
import io.pgbackup.support.KeyClock;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client-side encryption end to end, with keys made by the gpg command line, real PostgreSQL 15 and S3Proxy: a backup
 * encrypted to two keys, each of which decrypts it with plain gpg; verify and restore with the key from a file and
 * from the Secret Manager stand-in; a tampered object, a wrong key and no key restore nothing; list and retention
 * treat encrypted backups like the others; bad key settings stop the app before any dump; no key material or
 * passphrase in any output.
 */
@Timeout(900)
class EncryptionIT {

    static final String BUCKET = "encryption-it";
    static final String DB = "enc_source";
    static final String PASSWORD = "enc db pw";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "enc_user", PASSWORD)
            .withDatabase(DB, """
                    CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2));
                    INSERT INTO orders SELECT g, '고객 ' || g, g * 1.5 FROM generate_series(1, 20000) g;
                    CREATE TABLE "비밀 테이블" (v text);
                    INSERT INTO "비밀 테이블" VALUES ('a'), ('b');
                    """);

    static PostgresServer postgres;
    static S3Server s3;
    static Gpg alice;
    static Gpg bob;
    static Gpg carol;
    static SecretManagerStandIn bobsKeyInSecretManager;

    @BeforeAll
    static void start() throws Exception {
        alice = Gpg.newKey("Alice Ops", "curve25519", "alice pass");
        bob = Gpg.newKey("Bob Breakglass", "rsa3072", "bob pass");
        carol = Gpg.newKey("Carol Other", "curve25519", "carol pass");
        bobsKeyInSecretManager = new SecretManagerStandIn("sec-backup-key", "privateKey", bob.secretKey())
                .with("passphrase", "bob pass");
    }

    @AfterAll
    static void stop() throws Exception {
        if (bobsKeyInSecretManager != null) {
            bobsKeyInSecretManager.close();
        }
    }

    @AfterEach
    void noTemporaryDatabaseIsLeft() throws Exception {
        assertThat(postgres.databasesLike("pgbackup_%")).isEmpty();
    }

    PgBackupProcess pgBackup(String prefix) throws Exception {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(300)
                .set("ENCRYPTION_PUBLIC_KEYS", alice.publicKeyFile() + "," + bob.publicKeyFile());
    }

    String backUp(String prefix) throws Exception {
        List<String> before = keys(prefix);
        PgBackupProcess.Result run = pgBackup(prefix).set("VERIFY_DOWNLOAD", "true").run("backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("read back whole").contains("no decryption key on this host");
        assertNoKeyMaterial(run);
        List<String> after = new java.util.ArrayList<>(keys(prefix));
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    @Test
    void aBackupEncryptedToTwoKeysIsReadableByEachWithPlainGpgAndByNobodyElse() throws Exception {
        String key = backUp("two/");

        assertThat(key).endsWith(".sql.gz.gpg");
        byte[] object = s3.get(BUCKET, key);
        assertThat(object[0]).as("not a gzip file").isNotEqualTo((byte) 0x1f);
        assertThat(new String(object, StandardCharsets.ISO_8859_1)).doesNotContain("COPY public.orders").doesNotContain("고객");
        JsonNode manifest = JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        assertThat(manifest.get("encryption").get("recipients")).extracting(JsonNode::asText)
                .containsExactly(alice.encryptionKeyId(), bob.encryptionKeyId());
        assertThat(manifest.has("tables")).as("table names are data: not in clear").isFalse();
        assertThat(manifest.get("tablesEncrypted").asText()).startsWith("-----BEGIN PGP MESSAGE-----");
        assertThat(manifest.toString()).doesNotContain("orders").doesNotContain("비밀");
        assertThat(manifest.get("objectSha256").asText()).isEqualTo(sha256(object));

        // by hand, as the README shows: gpg --decrypt KEY.sql.gz.gpg | gunzip | psql
        String sql = gunzip(alice.decrypt(object));
        assertThat(gunzip(bob.decrypt(object))).isEqualTo(sql);
        assertThat(sql).contains("COPY public.orders").contains("PostgreSQL database dump complete");
        postgres.createDatabase("enc_by_hand");
        try {
            Path file = Files.createTempFile("by-hand", ".sql");
            Files.writeString(file, sql);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            postgres.psql("enc_by_hand", "\\i " + file);
            assertThat(postgres.contentHash("enc_by_hand", "orders")).isEqualTo(postgres.contentHash(DB, "orders"));
        } finally {
            postgres.dropDatabase("enc_by_hand");
        }

        PgBackupProcess.Result list = pgBackup("two/").run("list");
        assertThat(list.stdout()).containsPattern(java.util.regex.Pattern.quote(key) + " .* good");
    }

    @Test
    void verifyWithTheKeyFileAndRestoreWithTheKeyFromSecretManager() throws Exception {
        String key = backUp("keys/");

        PgBackupProcess.Result verify = pgBackup("keys/").set("DECRYPTION_KEY_FILE", alice.secretKeyFile().toString())
                .set("DECRYPTION_KEY_PASSPHRASE", "alice pass").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).contains("OK: 2 tables, 20002 rows, all as dumped");
        assertNoKeyMaterial(verify);

        try {
            PgBackupProcess.Result restore = pgBackup("keys/")
                    .set("ACCESS_KEY", SecretManagerStandIn.ACCESS_KEY).set("SECRET_KEY", SecretManagerStandIn.SECRET_KEY)
                    .set("SECRET_MANAGER_URL", bobsKeyInSecretManager.url())
                    .set("DECRYPTION_KEY_SECRET_ID", "sec-backup-key").run("restore", "--target-db", "enc_restored");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("restored " + key);
            assertThat(bobsKeyInSecretManager.verdicts()).contains("ok");
            assertThat(postgres.contentHash("enc_restored", "orders")).isEqualTo(postgres.contentHash(DB, "orders"));
            assertThat(postgres.contentHash("enc_restored", "\"비밀 테이블\"")).isEqualTo(postgres.contentHash(DB, "\"비밀 테이블\""));
            assertNoKeyMaterial(restore);
        } finally {
            postgres.dropDatabase("enc_restored");
        }
    }

    /** zstd and encryption together: .sql.zst.gpg, restored with the key file. */
    @Test
    void aZstdBackupIsEncryptedTooAndRestores() throws Exception {
        PgBackupProcess.Result run = pgBackup("zstd/").set("BACKUP_COMPRESSION", "zstd").run("backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String key = keys("zstd/").get(0);
        assertThat(key).endsWith(".sql.zst.gpg");
        try {
            PgBackupProcess.Result restore = pgBackup("zstd/").set("DECRYPTION_KEY_FILE", bob.secretKeyFile().toString())
                    .set("DECRYPTION_KEY_PASSPHRASE", "bob pass").run("restore", "--target-db", "enc_zstd");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(postgres.contentHash("enc_zstd", "orders")).isEqualTo(postgres.contentHash(DB, "orders"));
        } finally {
            postgres.dropDatabase("enc_zstd");
        }
    }

    /** A custom-format archive is encrypted the same way, and one table of it restores with its rows checked. */
    @Test
    void aCustomFormatBackupIsEncryptedTooAndOneTableRestores() throws Exception {
        PgBackupProcess.Result run = pgBackup("custom/").set("BACKUP_FORMAT", "custom").run("backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String key = keys("custom/").get(0);
        assertThat(key).endsWith(".dump.gz.gpg");
        try {
            PgBackupProcess.Result restore = pgBackup("custom/").set("DECRYPTION_KEY_FILE", bob.secretKeyFile().toString())
                    .set("DECRYPTION_KEY_PASSPHRASE", "bob pass")
                    .set("PG_RESTORE_PATH", PostgresServer.BIN.resolve("pg_restore").toString())
                    .run("restore", "--target-db", "enc_custom", "--table", "public.orders");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("1 tables").contains("all as dumped");
            assertThat(postgres.contentHash("enc_custom", "orders")).isEqualTo(postgres.contentHash(DB, "orders"));
        } finally {
            postgres.dropDatabase("enc_custom");
        }
    }

    /** Bytes changed in the middle, with the manifest's SHA-256 and size made to match: only decryption can tell. */
    @Test
    void aTamperedObjectFailsItsIntegrityCheckAndRestoresNothing() throws Exception {
        String key = backUp("tamper/");
        byte[] object = s3.get(BUCKET, key);
        object[object.length / 2] ^= 0x01;
        s3.put(BUCKET, key, object);
        ObjectNode manifest = (ObjectNode) JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        manifest.put("objectSha256", sha256(object));
        manifest.remove("chunkSha256"); // as a manifest from before chunk hashes: only decryption can tell
        manifest.remove("chunkBytes");
        s3.put(BUCKET, key + ".manifest.json", JSON.writeValueAsBytes(manifest));

        PgBackupProcess.Result restore = pgBackup("tamper/").set("DECRYPTION_KEY_FILE", alice.secretKeyFile().toString())
                .set("DECRYPTION_KEY_PASSPHRASE", "alice pass").run("restore", "--target-db", "enc_tampered");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("restore FAILED").containsAnyOf("integrity check", "was modified", "damaged");
        assertThat(postgres.databasesLike("enc_tampered")).isEmpty();
    }

    @Test
    void aWrongKeyOrNoKeyIsOneLineNamingTheKeysItWasEncryptedTo() throws Exception {
        backUp("wrong/");

        PgBackupProcess.Result wrong = pgBackup("wrong/").set("DECRYPTION_KEY_FILE", carol.secretKeyFile().toString())
                .set("DECRYPTION_KEY_PASSPHRASE", "carol pass").run("restore", "--target-db", "enc_wrong");
        assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.stderr()).contains(alice.encryptionKeyId()).contains(bob.encryptionKeyId())
                .contains(carol.encryptionKeyId()).contains("no key to open it");

        PgBackupProcess.Result none = pgBackup("wrong/").run("restore", "--target-db", "enc_wrong");
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
        assertThat(none.stderr()).contains("no decryption key is configured").contains(alice.encryptionKeyId());
        assertThat(postgres.databasesLike("enc_wrong")).isEmpty();
    }

    @Test
    void listAndRetentionTreatEncryptedBackupsLikeTheOthers() throws Exception {
        String older = backUp("keep/");
        KeyClock.nextSecond();
        String newer = backUp("keep/");

        PgBackupProcess.Result prune = pgBackup("keep/").set("RETENTION_KEEP_LAST", "1").run("prune");

        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout()).contains("DELETE\t" + older).contains("KEEP\t" + newer);
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith("keep/")).containsExactlyInAnyOrder(newer,
                newer + ".manifest.json");
    }

    // --- helpers

    static void assertNoKeyMaterial(PgBackupProcess.Result run) {
        assertThat(run.all()).doesNotContain("PRIVATE KEY").doesNotContain("alice pass").doesNotContain("bob pass")
                .doesNotContain(PASSWORD);
    }

    List<String> keys(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json")).toList();
    }

    static String gunzip(byte[] data) throws Exception {
        try (GzipMembersInputStream in = new GzipMembersInputStream(new java.io.ByteArrayInputStream(data))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
