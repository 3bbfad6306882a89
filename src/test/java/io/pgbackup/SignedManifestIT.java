package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.Gpg;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signed manifests and future-dated keys end to end: the packaged jar against real PostgreSQL 15 and S3Proxy (SigV4),
 * keys made by the gpg command line. A signed manifest passes {@code gpg --verify} with the public key; a backup that
 * anyone with bucket access can make (pg-backup itself, run with a pg_dump that edits its output, and no signing key)
 * is refused by {@code restore --key} and passed over by the default restore under SIGNATURE_PUBLIC_KEYS; a manifest
 * edited after signing is bad-signature; copies under 2099 keys neither push real backups out of retention nor get
 * deleted.
 */
@Timeout(600)
class SignedManifestIT {

    static final String BUCKET = "signed-it";
    static final String DB = "sig_source";
    static final String PASSWORD = "sig db pw";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "sig_user", PASSWORD)
            .withDatabase(DB, """
                    CREATE TABLE accounts (id int PRIMARY KEY, owner text);
                    INSERT INTO accounts SELECT g, 'honest-' || g FROM generate_series(1, 500) g;
                    """);

    static PostgresServer postgres;
    static S3Server s3;
    static Gpg ops;

    @BeforeAll
    static void start() throws Exception {
        ops = Gpg.newKey("Backup Signer", "sign", "signer pass");
    }

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(240).set("BACKUP_TIMEZONE", "Asia/Seoul");
    }

    /** A host that signs: SIGNING_KEY_FILE and its passphrase. */
    PgBackupProcess signing(String prefix) throws Exception {
        return pgBackup(prefix).set("SIGNING_KEY_FILE", ops.secretKeyFile().toString())
                .set("SIGNING_KEY_PASSPHRASE", "signer pass");
    }

    /** A host that checks: SIGNATURE_PUBLIC_KEYS. */
    PgBackupProcess checking(String prefix) throws Exception {
        return pgBackup(prefix).set("SIGNATURE_PUBLIC_KEYS", ops.publicKeyFile().toString());
    }

    String backUp(PgBackupProcess process, String prefix) throws Exception {
        List<String> before = backups(prefix);
        PgBackupProcess.Result run = process.run("backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.all()).doesNotContain("signer pass").doesNotContain("PRIVATE KEY");
        List<String> after = new ArrayList<>(backups(prefix));
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    List<String> backups(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json")
                && !k.endsWith(".asc")).toList();
    }

    static String stateOf(String listOutput, String key) {
        for (String line : listOutput.split("\n")) {
            if (line.startsWith(key + " ")) {
                return line.substring(line.lastIndexOf("  ") + 2).strip();
            }
        }
        throw new AssertionError("no line for " + key + " in:\n" + listOutput);
    }

    @Test
    void aSignedManifestPassesGpgVerifyListsGoodAndIsPrunedWithItsSignatureAndAnEditBreaksIt() throws Exception {
        String prefix = "signed/";
        String older = backUp(signing(prefix), prefix);
        String newer = backUp(signing(prefix), prefix);

        assertThat(s3.keys(BUCKET)).contains(older + ".manifest.json.asc", newer + ".manifest.json.asc");
        Path dir = Files.createTempDirectory("signed-it");
        Path manifest = Files.write(dir.resolve("m.manifest.json"), s3.get(BUCKET, newer + ".manifest.json"));
        Path signature = Files.write(dir.resolve("m.manifest.json.asc"), s3.get(BUCKET, newer + ".manifest.json.asc"));
        assertThat(Files.readString(signature)).startsWith("-----BEGIN PGP SIGNATURE-----");
        assertThat(Gpg.verifyWith(ops.publicKeyFile(), signature, manifest)).as("gpg --verify with the public key").isTrue();

        PgBackupProcess.Result list = checking(prefix).run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(stateOf(list.stdout(), older)).isEqualTo("good");
        assertThat(stateOf(list.stdout(), newer)).isEqualTo("good");
        assertThat(list.stdout()).as("a signature is never listed as a backup").doesNotContain(".asc");

        // prune deletes a backup with its manifest and the manifest's signature
        PgBackupProcess.Result prune = checking(prefix).set("RETENTION_KEEP_LAST", "1").run("prune");
        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(s3.keys(BUCKET)).filteredOn(k -> k.startsWith(prefix)).containsExactlyInAnyOrder(
                newer, newer + ".manifest.json", newer + ".manifest.json.asc");

        // a bucket writer edits the signed manifest (one more row): its signature no longer matches
        String edited = Files.readString(manifest).replace("\"public.accounts\" : 500", "\"public.accounts\" : 501");
        assertThat(edited).isNotEqualTo(Files.readString(manifest));
        s3.put(BUCKET, newer + ".manifest.json", edited.getBytes(StandardCharsets.UTF_8));
        Files.writeString(manifest, edited);
        assertThat(Gpg.verifyWith(ops.publicKeyFile(), signature, manifest)).as("gpg agrees").isFalse();

        PgBackupProcess.Result after = checking(prefix).run("list");
        assertThat(after.exitCode()).as(after.toString()).isZero();
        assertThat(stateOf(after.stdout(), newer)).startsWith("bad-signature (")
                .contains("does not match the manifest's bytes");
        PgBackupProcess.Result restore = checking(prefix).run("restore", "--target-db", "sig_never");
        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.all()).contains("no good backup of database '" + DB + "'");
        assertThat(databaseExists("sig_never")).isFalse();
    }

    @Test
    void aBackupMadeWithAnEditingPgDumpAndNoSigningKeyIsRefusedByKeyAndPassedOverByTheDefaultRestore() throws Exception {
        String prefix = "forged/";
        String honest = backUp(signing(prefix), prefix);

        // anyone who can write the bucket: pg-backup itself, a pg_dump that edits its output, no signing key
        Path editing = Files.createTempFile("editing-pg_dump", ".sh");
        Files.writeString(editing, "#!/bin/sh\n'" + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\" | sed 's/honest-/forged-/g'\n");
        editing.toFile().setExecutable(true);
        String forged = backUp(pgBackup(prefix).set("PG_DUMP_PATH", editing.toString()), prefix);
        assertThat(s3.keys(BUCKET)).contains(forged + ".manifest.json").doesNotContain(forged + ".manifest.json.asc");

        PgBackupProcess.Result list = checking(prefix).run("list");
        assertThat(stateOf(list.stdout(), honest)).isEqualTo("good");
        assertThat(stateOf(list.stdout(), forged)).startsWith("unsigned");

        PgBackupProcess.Result byKey = checking(prefix).run("restore", "--key", forged, "--target-db", "sig_forged");
        assertThat(byKey.exitCode()).as(byKey.toString()).isEqualTo(1);
        assertThat(byKey.all()).contains("refused " + forged).contains("unsigned").contains("SIGNATURE_PUBLIC_KEYS");
        assertThat(databaseExists("sig_forged")).isFalse();

        try {
            PgBackupProcess.Result restore = checking(prefix).run("restore", "--target-db", "sig_restored");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("restored " + honest + " into database sig_restored");
            assertThat(restore.stderr()).containsPattern("passed over " + Pattern.quote(forged) + ": unsigned");
            assertThat(postgres.psql("sig_restored", "SELECT count(*) FROM accounts WHERE owner LIKE 'honest-%'").strip())
                    .isEqualTo("500");
            assertThat(postgres.psql("sig_restored", "SELECT count(*) FROM accounts WHERE owner LIKE 'forged-%'").strip())
                    .isEqualTo("0");
        } finally {
            postgres.dropDatabase("sig_restored");
        }
    }

    @Test
    void futureDatedCopiesOfAGoodBackupAreListedFutureNeverCountedAndNeverPruned() throws Exception {
        String prefix = "future/";
        String older = backUp(pgBackup(prefix), prefix);
        String real = backUp(pgBackup(prefix), prefix);
        // a bucket writer copies the newest good backup under 2099 keys, its manifest edited to name each copy
        byte[] object = s3.get(BUCKET, real);
        String manifest = new String(s3.get(BUCKET, real + ".manifest.json"), StandardCharsets.UTF_8);
        String name = real.substring(real.lastIndexOf('/') + 1);
        String extension = name.substring(name.indexOf('.'));
        List<String> copies = new ArrayList<>();
        for (int day = 1; day <= 7; day++) {
            String copy = prefix + "2099/01/0" + day + "/" + DB + "_2099010" + day + "020000" + extension;
            s3.put(BUCKET, copy, object);
            s3.put(BUCKET, copy + ".manifest.json", manifest.replace(real, copy).getBytes(StandardCharsets.UTF_8));
            copies.add(copy);
        }

        PgBackupProcess.Result list = pgBackup(prefix).run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        for (String copy : copies) {
            assertThat(stateOf(list.stdout(), copy)).startsWith("future (");
        }
        assertThat(stateOf(list.stdout(), real)).isEqualTo("good");

        PgBackupProcess.Result prune = pgBackup(prefix).set("RETENTION_KEEP_LAST", "1").run("prune");
        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout()).contains("KEEP\t" + real + "\tnewest of database " + DB + "; one of the 1 newest good")
                .contains("DELETE\t" + older + "\t");
        for (String copy : copies) {
            assertThat(prune.stdout()).contains("KEEP\t" + copy + "\tfuture-dated (more than 1 h after now): never deleted");
        }
        assertThat(s3.keys(BUCKET)).contains(real, real + ".manifest.json").containsAll(copies).doesNotContain(older);

        // the default restore takes the real newest one, not a copy
        try {
            PgBackupProcess.Result restore = pgBackup(prefix).run("restore", "--target-db", "sig_future");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("restored " + real + " into database sig_future");
        } finally {
            postgres.dropDatabase("sig_future");
        }
    }

    @Test
    void theSigningKeyFromSecretManagerSignsAndNeverShows() throws Exception {
        String prefix = "secret/";
        try (SecretManagerStandIn secretManager = new SecretManagerStandIn("sec-signing-key", "privateKey", ops.secretKey())
                .with("passphrase", "signer pass")) {
            String key = backUp(pgBackup(prefix).set("ACCESS_KEY", SecretManagerStandIn.ACCESS_KEY)
                    .set("SECRET_KEY", SecretManagerStandIn.SECRET_KEY).set("SECRET_MANAGER_URL", secretManager.url())
                    .set("SIGNING_KEY_SECRET_ID", "sec-signing-key"), prefix);

            assertThat(secretManager.verdicts()).contains("ok");
            Path dir = Files.createTempDirectory("signed-it-secret");
            Path manifest = Files.write(dir.resolve("m.manifest.json"), s3.get(BUCKET, key + ".manifest.json"));
            Path signature = Files.write(dir.resolve("m.manifest.json.asc"), s3.get(BUCKET, key + ".manifest.json.asc"));
            assertThat(Gpg.verifyWith(ops.publicKeyFile(), signature, manifest)).isTrue();
            assertThat(stateOf(checking(prefix).run("list").stdout(), key)).isEqualTo("good");
        }
    }

    static boolean databaseExists(String name) throws Exception {
        return !postgres.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = " + PostgresServer.quoteLiteral(name))
                .isBlank();
    }
}
