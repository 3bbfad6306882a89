package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.KeyClock;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Proven restorable: the manifest beside each backup, the read-back check, the shrink warning and the test restore
 * (verify.yaml), on real PostgreSQL and S3Proxy. Each test uses its own prefix and database.
 */
@Timeout(600)
class VerifyIT {

    static final String BUCKET = "verify-it";
    static final String PASSWORD = "verify pw 'x' 비밀";
    static final ObjectMapper JSON = new ObjectMapper();

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "verify_user", PASSWORD).withSlack();

    static void createShop(String database, int orders) throws Exception {
        postgres.createDatabase(database);
        postgres.psql(database, """
                CREATE TABLE public.orders (id int PRIMARY KEY, note text);
                INSERT INTO public.orders SELECT g, 'note ' || g FROM generate_series(1, %d) g;
                CREATE TABLE "Odd \"\"Name\"\"\" (v text);
                INSERT INTO "Odd \"\"Name\"\"\" VALUES ('a'), (E'multi\\nline'), (NULL);
                CREATE TABLE public.parent (id int);
                CREATE TABLE public.child (extra int) INHERITS (public.parent);
                INSERT INTO public.parent VALUES (1), (2);
                INSERT INTO public.child VALUES (3, 3);
                CREATE TABLE public.empty_table (id int);
                """.formatted(orders));
    }

    PgBackupProcess pgBackup(String database, String prefix) {
        return SERVERS.pgBackup(database, prefix);
    }

    List<S3Object> backups(String prefix) {
        return s3.objects(BUCKET).stream().filter(o -> o.key().startsWith(prefix)).toList();
    }

    @Test
    void theManifestRecordsChecksumSizesVersionsAndRowsAndTheDownloadIsReadBack() throws Exception {
        createShop("verify_manifest", 1234);
        PgBackupProcess.Result run = pgBackup("verify_manifest", "manifest/").set("VERIFY_DOWNLOAD", "true").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("read back whole");
        S3Object backup = backups("manifest/").get(0);
        byte[] object = s3.get(BUCKET, backup.key());
        JsonNode manifest = JSON.readTree(s3.get(BUCKET, backup.key() + ".manifest.json"));
        assertThat(manifest.get("objectSha256").asText()).isEqualTo(sha256(object));
        assertThat(manifest.get("objectBytes").asLong()).isEqualTo(object.length);
        assertThat(manifest.get("rawBytes").asLong()).isEqualTo(gunzip(object).length);
        assertThat(manifest.get("pgDumpVersion").asText()).startsWith("15.");
        assertThat(manifest.get("serverVersion").asText()).startsWith("15.");
        assertThat(manifest.get("database").asText()).isEqualTo("verify_manifest");
        Map<String, Long> tables = new LinkedHashMap<>();
        manifest.get("tables").fields().forEachRemaining(e -> tables.put(e.getKey(), e.getValue().asLong()));
        assertThat(tables).containsEntry("public.orders", 1234L).containsEntry("public.\"Odd \"\"Name\"\"\"", 3L)
                .containsEntry("public.parent", 2L).containsEntry("public.child", 1L).containsEntry("public.empty_table", 0L);
    }

    @Test
    void theTestRestoreProvesTheNewestBackupAndDropsTheScratchDatabase() throws Exception {
        createShop("verify_good", 500);
        assertThat(pgBackup("verify_good", "good/").run("backup").exitCode()).isZero();
        int slackBefore = slack.texts().size();

        PgBackupProcess.Result verify = pgBackup("verify_good", "good/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).contains("test restore of " + BUCKET + "/good/").contains("OK: 5 tables, 506 rows");
        List<String> messages = slack.texts().subList(slackBefore, slack.texts().size());
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).contains("VERIFIED: verify_good restores");
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void aCorruptedObjectIsCaught() throws Exception {
        createShop("verify_corrupt", 3000);
        assertThat(pgBackup("verify_corrupt", "corrupt/").run("backup").exitCode()).isZero();
        String key = backups("corrupt/").get(0).key();
        byte[] object = s3.get(BUCKET, key);
        object[object.length / 2] ^= 0x5a;
        object[object.length / 2 + 1] ^= 0x33;
        s3.put(BUCKET, key, object);
        int slackBefore = slack.texts().size();

        PgBackupProcess.Result verify = pgBackup("verify_corrupt", "corrupt/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.stderr()).contains("test restore FAILED").contains(key);
        assertThat(slack.texts().subList(slackBefore, slack.texts().size())).singleElement().asString()
                .contains("test restore FAILED").contains("verify_corrupt");
        assertThat(scratchDatabases()).isEmpty();
    }

    /**
     * Two databases of one verify run fail for different causes (docs: its object damaged; shop: no backup at all):
     * each is logged on its own line with its own stage and cause, each is notified, and the run exits 1.
     */
    @Test
    void twoDatabasesFailingForDifferentCausesAreEachLoggedAndNotified() throws Exception {
        createShop("verify_two_docs", 300);
        createShop("verify_two_shop", 10);
        assertThat(pgBackup("verify_two_docs", "two/").run("backup").exitCode()).isZero();
        String key = backups("two/").get(0).key();
        byte[] object = s3.get(BUCKET, key);
        object[object.length / 2] ^= 0x5a;
        s3.put(BUCKET, key, object);
        int slackBefore = slack.texts().size();

        PgBackupProcess.Result verify = pgBackup("verify_two_docs,verify_two_shop", "two/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        List<String> failures = verify.stderr().lines().filter(l -> l.contains("test restore FAILED")).toList();
        assertThat(failures).as(verify.toString()).hasSize(2);
        String docs = failures.stream().filter(l -> l.contains("database=verify_two_docs ")).findFirst().orElseThrow();
        String shop = failures.stream().filter(l -> l.contains("database=verify_two_shop ")).findFirst().orElseThrow();
        assertThat(docs).doesNotContain("stage=list-databases").contains(key).doesNotContain("verify_two_shop");
        assertThat(shop).doesNotContain("stage=list-databases").doesNotContain("verify_two_docs");
        assertThat(docs.replaceAll(".*: ", "")).isNotEqualTo(shop.replaceAll(".*: ", ""));
        List<String> messages = slack.texts().subList(slackBefore, slack.texts().size());
        assertThat(messages).as(verify.toString()).hasSize(2);
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("FAILED").contains("verify_two_docs"))
                .anySatisfy(m -> assertThat(m).contains("FAILED").contains("verify_two_shop"));
        assertThat(scratchDatabases()).isEmpty();
    }

    /** Rows removed from the object, with checksums and sizes made to match: only the row counts can tell. */
    @Test
    void tamperedDataIsReportedAsARowCountMismatch() throws Exception {
        createShop("verify_tamper", 200);
        assertThat(pgBackup("verify_tamper", "tamper/").run("backup").exitCode()).isZero();
        String key = backups("tamper/").get(0).key();
        String sql = new String(gunzip(s3.get(BUCKET, key)), StandardCharsets.UTF_8);
        String tampered = sql.replace("17\tnote 17\n", "").replace("18\tnote 18\n", "");
        assertThat(tampered).isNotEqualTo(sql);
        byte[] object = gzip(tampered.getBytes(StandardCharsets.UTF_8));
        s3.put(BUCKET, key, object);
        ObjectNode manifest = (ObjectNode) JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        manifest.put("objectSha256", sha256(object));
        manifest.put("objectBytes", object.length);
        manifest.put("rawBytes", tampered.getBytes(StandardCharsets.UTF_8).length);
        manifest.remove("chunkSha256"); // as a manifest from before chunk hashes: only the row counts can tell
        manifest.remove("chunkBytes");
        s3.put(BUCKET, key + ".manifest.json", JSON.writeValueAsBytes(manifest));

        PgBackupProcess.Result verify = pgBackup("verify_tamper", "tamper/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.stderr()).contains("public.orders loaded 198 rows, the dump had 200");
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void aDumpThatShrankIsStoredWithAWarningAndNotCountedAsGood() throws Exception {
        createShop("verify_shrink", 20_000);
        assertThat(pgBackup("verify_shrink", "shrink/").run("backup").exitCode()).isZero();
        postgres.psql("verify_shrink", "DELETE FROM public.orders WHERE id > 100");
        int slackBefore = slack.texts().size();
        KeyClock.nextSecond();

        PgBackupProcess.Result second = pgBackup("verify_shrink", "shrink/").set("RETENTION_KEEP_LAST", "1").run("backup");

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.stderr()).contains("not counted as good").contains("MAX_SHRINK_PERCENT=50");
        assertThat(slack.texts().subList(slackBefore, slack.texts().size())).singleElement().asString()
                .contains("verify_shrink").contains("shrank");
        List<S3Object> stored = backups("shrink/");
        assertThat(stored).as("no retention after a backup that does not count as good").hasSize(2);
        String newest = stored.stream().map(S3Object::key).sorted().toList().get(1);
        assertThat(JSON.readTree(s3.get(BUCKET, newest + ".manifest.json")).get("warning").asText()).contains("shrank");
    }

    @Test
    void retentionRunsAfterEachGoodBackupOfThatDatabase() throws Exception {
        createShop("verify_keep", 10);
        for (int i = 0; i < 3; i++) {
            PgBackupProcess.Result run = pgBackup("verify_keep", "keep/").set("RETENTION_KEEP_LAST", "2").run("backup");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            KeyClock.nextSecond();
        }
        List<String> keys = s3.allObjects(BUCKET).stream().map(S3Object::key).filter(k -> k.startsWith("keep/")).sorted().toList();
        assertThat(keys).hasSize(4).allMatch(k -> k.contains("verify_keep_"));
        assertThat(keys.stream().filter(k -> k.endsWith(".sql.gz"))).hasSize(2)
                .allMatch(k -> keys.contains(k + ".manifest.json"));
    }

    @Test
    void theScheduledTestRestoreRunsInTheService() throws Exception {
        createShop("verify_cron", 50);
        assertThat(pgBackup("verify_cron", "cron/").run("backup").exitCode()).isZero();
        int slackBefore = slack.texts().size();

        PgBackupProcess.Running service = pgBackup("verify_cron", "cron/")
                .set("BACKUP_CRON", "0 0 3 1 1 ? 2099").set("VERIFY_CRON", "0/3 * * * * ?").launch();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && slack.texts().stream().skip(slackBefore).noneMatch(t -> t.contains("VERIFIED"))) {
            Thread.sleep(250);
        }
        PgBackupProcess.Result stopped = service.stop();

        assertThat(slack.texts().stream().skip(slackBefore)).as(stopped.toString())
                .anyMatch(t -> t.contains("VERIFIED: verify_cron restores"));
        assertThat(scratchDatabases()).isEmpty();
    }

    static String scratchDatabases() throws Exception {
        return postgres.psql("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'pgbackup_verify_%'").strip();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static byte[] gunzip(byte[] data) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }
}
