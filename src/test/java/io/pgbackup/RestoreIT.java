package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgbackup.compress.GzipMembersInputStream;
import io.pgbackup.support.BackupServers;
import io.pgbackup.support.KeyClock;
import io.pgbackup.support.LargeDatabase;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SlowNetworkProxy;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Restore you can bet on, end to end on real PostgreSQL 15 and S3Proxy, through bin/pg-backup (the shipped heap):
 * a large multi-member, multi-part backup restored through a slow network, checked before it commits, atomic (a
 * fresh database renamed into place), never over a live database, and the right backup chosen. After every test:
 * no temporary database is left on the server.
 */
@Timeout(900)
class RestoreIT {

    static final String BUCKET = "restore-it";
    static final String PASSWORD = "restore pw 'x' \"y\" 비밀";
    static final ObjectMapper JSON = new ObjectMapper();
    static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;
    static String large;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "restore_user", PASSWORD).withSlack();

    @BeforeAll
    static void start() throws Exception {
        large = LargeDatabase.on(postgres);
    }

    @AfterEach
    void noTemporaryDatabaseIsLeft() throws Exception {
        assertThat(postgres.databasesLike("pgbackup_restore_%")).as("temporary databases left on the server").isEmpty();
        assertThat(postgres.databasesLike("pgbackup_verify_%")).as("scratch databases left on the server").isEmpty();
    }

    PgBackupProcess pgBackup(String database, String prefix) {
        return SERVERS.pgBackup(database, prefix).timeoutSeconds(600);
    }

    /**
     * The large database (~128 MB of dump) backed up in 5 MiB parts, then restored through a network that hands the
     * object over in small pieces and pauses at every gzip member boundary: every row of every table arrives.
     */
    @Test
    void aLargeMultiPartBackupRestoresWholeThroughASlowNetwork() throws Exception {
        PgBackupProcess.Result backup = pgBackup(large, "large/").set("UPLOAD_PART_SIZE", "5242880")
                .set("VERIFY_DOWNLOAD", "true").throughLauncher().run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).as("the multi-part, multi-member object read back whole").contains("read back whole");
        String key = onlyKey("large/");
        JsonNode manifest = manifest(key);
        assertThat(manifest.get("parts").asInt()).as("a multipart upload").isGreaterThanOrEqualTo(4);
        assertThat(manifest.get("rawBytes").asLong()).isGreaterThan(100_000_000L);
        byte[] object = s3.get(BUCKET, key);
        assertThat(members(object)).as("gzip members (4 MiB blocks)").isGreaterThanOrEqualTo(25);

        try (SlowNetworkProxy slow = new SlowNetworkProxy(s3Port(), 16 * 1024)) {
            PgBackupProcess.Result restore = pgBackup(large, "large/").set("OBJECT_STORAGE_ENDPOINT", slow.endpoint())
                    .throughLauncher().run("restore", "--target-db", "large_restored");

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(slow.pauses()).as("reads that ended at a member boundary").isGreaterThanOrEqualTo(10);
            assertThat(slow.downstreamBytes()).isGreaterThanOrEqualTo(object.length);
            assertThat(restore.stdout()).contains("restored " + key + " into database large_restored")
                    .contains("3 tables, 800000 rows, all as dumped");
            assertThat(restore.stderr()).doesNotContain(PASSWORD);
            for (String table : LargeDatabase.TABLES) {
                assertThat(postgres.contentHash("large_restored", table)).as(table).isEqualTo(postgres.contentHash(large, table));
            }
            assertThat(postgres.schema("large_restored")).isEqualTo(postgres.schema(large));
        } finally {
            postgres.dropDatabase("large_restored");
        }

        // the same backup: the test restore, and the read-back of a multi-part object are whole too
        PgBackupProcess.Result verify = pgBackup(large, "large/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).contains("OK: 3 tables, 800000 rows, all as dumped");
    }

    @Test
    void aLargeZstdBackupWithTheReadBackRestoresWhole() throws Exception {
        PgBackupProcess.Result backup = pgBackup(large, "large-zstd/").set("UPLOAD_PART_SIZE", "5242880")
                .set("BACKUP_COMPRESSION", "zstd").set("VERIFY_DOWNLOAD", "true").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).contains("read back whole");
        String key = onlyKey("large-zstd/");
        assertThat(key).endsWith(".sql.zst");
        try {
            PgBackupProcess.Result restore = pgBackup(large, "large-zstd/").run("restore", "--target-db", "large_zstd");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(postgres.contentHash("large_zstd", "public.orders")).isEqualTo(postgres.contentHash(large, "public.orders"));
        } finally {
            postgres.dropDatabase("large_zstd");
        }
    }

    @Test
    void aTruncatedObjectRestoresNothing() throws Exception {
        String key = backUp("cut_src", "cut/", 30_000);
        byte[] object = s3.get(BUCKET, key);
        s3.put(BUCKET, key, java.util.Arrays.copyOf(object, object.length * 2 / 3));
        int slackBefore = slack.texts().size();

        PgBackupProcess.Result restore = pgBackup("cut_src", "cut/").run("restore", "--target-db", "cut_target");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        // the cut is found by the chunk check before its last chunk is used (without chunk hashes: "truncated")
        assertThat(restore.stderr()).contains("restore FAILED stage=restore").contains(key)
                .contains("differs from its manifest in chunk");
        assertThat(postgres.databasesLike("cut_target")).isEmpty();
        assertThat(slack.texts().subList(slackBefore, slack.texts().size())).singleElement().asString()
                .contains("restore FAILED").contains("cut_src into cut_target");
    }

    /** Bytes flipped in the middle, and a manifest whose SHA-256 does not match an intact object. */
    @Test
    void aCorruptedObjectOrAManifestThatDoesNotMatchRestoresNothing() throws Exception {
        String key = backUp("flip_src", "flip/", 30_000);
        byte[] original = s3.get(BUCKET, key);
        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x5a;
        flipped[flipped.length / 2 + 7] ^= 0x21;
        s3.put(BUCKET, key, flipped);

        PgBackupProcess.Result restore = pgBackup("flip_src", "flip/").run("restore", "--target-db", "flip_target");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("restore FAILED").contains(key);
        assertThat(postgres.databasesLike("flip_target")).isEmpty();

        s3.put(BUCKET, key, original);
        ObjectNode manifest = (ObjectNode) manifest(key);
        manifest.put("objectSha256", "0".repeat(64));
        s3.put(BUCKET, key + ".manifest.json", JSON.writeValueAsBytes(manifest));

        PgBackupProcess.Result mismatch = pgBackup("flip_src", "flip/").run("restore", "--target-db", "flip_target");

        assertThat(mismatch.exitCode()).as(mismatch.toString()).isEqualTo(1);
        assertThat(mismatch.stderr()).contains("has SHA-256 " + sha256(original)).contains("the object is corrupted");
        assertThat(postgres.databasesLike("flip_target")).isEmpty();
    }

    /**
     * Large objects: pg_dump wraps their data in BEGIN/COMMIT of its own, which ends psql's single transaction early.
     * A failure after them (here: a statement that fails, put after the large objects with every checksum made to
     * match) still leaves nothing behind: the load went into a temporary database, which is dropped.
     */
    @Test
    void largeObjectsRestoreAndAFailureAfterThemLeavesNothing() throws Exception {
        postgres.createDatabase("lo_src");
        postgres.psql("lo_src", """
                CREATE TABLE docs (id int PRIMARY KEY, blob oid);
                INSERT INTO docs SELECT g, lo_from_bytea(0, convert_to(repeat('문서 ' || g, 2000), 'UTF8'))
                  FROM generate_series(1, 5) g;
                CREATE TABLE after_blobs (id int);
                ALTER TABLE after_blobs ADD CONSTRAINT after_blobs_pk PRIMARY KEY (id);
                """);
        String key = backUp("lo_src", "lo/", -1);
        assertThat(restoresAlike(pgBackup("lo_src", "lo/"), "lo_src", "lo_restored", "SELECT (SELECT count(*) FROM"
                + " pg_largeobject_metadata) || ':' || md5(string_agg(lo_get(blob)::text, ',' ORDER BY id)) FROM docs"))
                .startsWith("5:");

        String sql = gunzipText(s3.get(BUCKET, key));
        int blobsEnd = sql.lastIndexOf("COMMIT;");
        assertThat(sql.indexOf("lo_open")).as("the dump writes large objects in a BEGIN/COMMIT of its own")
                .isBetween(0, blobsEnd);
        String broken = sql.substring(0, blobsEnd + 8) + "\nSELECT 1/0;\n" + sql.substring(blobsEnd + 8);
        replaceObject(key, broken);

        PgBackupProcess.Result restore = pgBackup("lo_src", "lo/").run("restore", "--target-db", "lo_restored");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("restore FAILED").contains("division by zero");
        assertThat(postgres.databasesLike("lo_restored")).isEmpty();
    }

    /**
     * A single value of table data can be far larger than the heap the shipped launcher gives the JVM (-Xmx200m): a
     * row of 240 MB (one line of the plain dump) restores whole, the restore holding none of it whole.
     */
    @Test
    void aRowLargerThanTheHeapRestoresWhole() throws Exception {
        postgres.createDatabase("wide_src");
        postgres.psql("wide_src", """
                CREATE TABLE docs (id int PRIMARY KEY, body text);
                INSERT INTO docs VALUES (1, repeat('0123456789abcdef', 15 * 1024 * 1024) || '\\. GRANT ALL'),
                                        (2, 'after the wide row');
                """);
        backUp("wide_src", "wide/", -1);
        assertThat(restoresAlike(pgBackup("wide_src", "wide/").throughLauncher(), "wide_src", "wide_restored",
                "SELECT string_agg(id || ':' || length(body) || ':' || md5(body), ',' ORDER BY id) FROM docs"))
                .startsWith("1:251658252:");
    }

    /**
     * Whoever can write the bucket can write a matching manifest too: a backup that holds psql backslash commands
     * (a shell command, an output file), put in place with every checksum made to match, runs none of them. Those
     * the dump itself holds (pg_dump's restrict lines) do not get in the way of a good restore either.
     */
    @Test
    void aBackupThatHoldsBackslashCommandsRunsNone() throws Exception {
        String key = backUp("meta_src", "meta/", 500);
        Path folder = Files.createTempDirectory("pgbackup-meta");
        Path shell = folder.resolve("shell-ran");
        Path output = folder.resolve("output-written");
        try {
            String sql = gunzipText(s3.get(BUCKET, key));
            assertThat(sql).as("pg_dump 15.14+ writes restrict lines of its own").contains("\\restrict ");
            PgBackupProcess.Result good = pgBackup("meta_src", "meta/").run("restore", "--target-db", "meta_good");
            assertThat(good.exitCode()).as(good.toString()).isZero();

            int set = sql.indexOf("\nSET ");
            String tampered = sql.substring(0, set) + "\n\\unrestrict guess\n\\! touch " + shell + "\n\\o " + output
                    + "\nSELECT 1;\n" + sql.substring(set);
            replaceObject(key, tampered);
            PgBackupProcess.Result restore = pgBackup("meta_src", "meta/").run("restore", "--target-db", "meta_target");

            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.stderr()).contains("restore FAILED");
            assertThat(shell).as("the shell command did not run").doesNotExist();
            assertThat(output).as("no output file was opened").doesNotExist();
            assertThat(postgres.databasesLike("meta_target")).isEmpty();
        } finally {
            postgres.dropDatabase("meta_good");
            PostgresServer.deleteTree(folder);
        }
    }

    @Test
    void replaceRenamesTheExistingDatabaseAsideAndRefusesWhileItIsInUse() throws Exception {
        String key = backUp("swap_src", "swap/", 2_000);
        postgres.createDatabase("swap_target");
        postgres.psql("swap_target", "CREATE TABLE old_data (v text); INSERT INTO old_data VALUES ('keep me')");
        try {
            PgBackupProcess.Result refused = pgBackup("swap_src", "swap/").run("restore", "--target-db", "swap_target");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.stderr()).contains("database swap_target already exists").contains("--replace");
            assertThat(postgres.psql("swap_target", "SELECT v FROM old_data").strip()).isEqualTo("keep me");

            Process session = postgres.hold("swap_target", "SELECT pg_sleep(120)");
            try {
                PgBackupProcess.Result busy = pgBackup("swap_src", "swap/").run("restore", "--target-db", "swap_target",
                        "--replace");
                assertThat(busy.exitCode()).as(busy.toString()).isEqualTo(1);
                assertThat(busy.stderr()).contains("database swap_target has 1 connected session");
            } finally {
                postgres.release(session);
            }

            PgBackupProcess.Result replaced = pgBackup("swap_src", "swap/").run("restore", "--target-db", "swap_target",
                    "--replace");

            assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
            assertThat(postgres.psql("swap_target", "SELECT count(*) FROM public.orders").strip()).isEqualTo("2000");
            String aside = postgres.databasesLike("swap_target_before_%");
            assertThat(aside).matches("swap_target_before_\\d{14}");
            assertThat(replaced.stderr()).contains("renamed to " + aside).contains("not dropped");
            assertThat(replaced.stdout()).contains(key);
            assertThat(postgres.psql(aside, "SELECT v FROM old_data").strip()).isEqualTo("keep me");
            postgres.dropDatabase(aside);
        } finally {
            postgres.dropDatabase("swap_target");
        }
    }

    /** Without --key: the newest good backup; a newer one without a manifest or with a warning is passed over. */
    @Test
    void theNewestGoodBackupIsChosenAndListShowsEveryState() throws Exception {
        String good = backUp("pick_src", "pick/", 1_000);
        KeyClock.nextSecond();
        String shrunk = backUp("pick_src", "pick/", 1_000);
        ObjectNode marked = (ObjectNode) manifest(shrunk);
        marked.put("warning", "the dump shrank 90% (test)");
        s3.put(BUCKET, shrunk + ".manifest.json", JSON.writeValueAsBytes(marked));
        KeyClock.nextSecond();
        String unchecked = backUp("pick_src", "pick/", 1_000);
        s3.client().deleteObject(b -> b.bucket(BUCKET).key(unchecked + ".manifest.json"));

        PgBackupProcess.Result list = pgBackup("pick_src", "pick/").run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(lineOf(list.stdout(), good)).endsWith("good");
        assertThat(lineOf(list.stdout(), shrunk)).contains("shrunk (the dump shrank 90% (test))");
        assertThat(lineOf(list.stdout(), unchecked)).contains("unchecked (no manifest)");
        assertThat(list.stdout()).contains("3 backup(s): 1 good, 1 shrunk, 1 unchecked");

        try {
            PgBackupProcess.Result restore = pgBackup("pick_src", "pick/").run("restore", "--target-db", "pick_newest_good");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("restored " + good + " into database pick_newest_good");
            assertThat(restore.stderr()).contains("passed over " + unchecked + ": unchecked")
                    .contains("passed over " + shrunk + ": shrunk");

            PgBackupProcess.Result named = pgBackup("pick_src", "pick/").run("restore", "--target-db", "pick_unchecked",
                    "--key", unchecked);
            assertThat(named.exitCode()).as(named.toString()).isZero();
            assertThat(named.stderr()).contains(unchecked + " has no manifest: it cannot be checked");
            assertThat(named.stdout()).contains("loaded without checks");

            String beforeShrunk = LocalDateTime.parse(keyTime(shrunk), KEY_TIME).minusSeconds(1)
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
            PgBackupProcess.Result before = pgBackup("pick_src", "pick/").run("restore", "--target-db", "pick_before",
                    "--before", beforeShrunk);
            assertThat(before.exitCode()).as(before.toString()).isZero();
            assertThat(before.stdout()).contains("restored " + good);

            String beforeAll = LocalDateTime.parse(keyTime(good), KEY_TIME).minusMinutes(1)
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
            PgBackupProcess.Result none = pgBackup("pick_src", "pick/").run("restore", "--target-db", "pick_none",
                    "--before", beforeAll);
            assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
            assertThat(none.stderr()).contains("no good backup of database 'pick_src' at or before");
            assertThat(postgres.databasesLike("pick_none")).isEmpty();
        } finally {
            postgres.dropDatabase("pick_newest_good");
            postgres.dropDatabase("pick_unchecked");
            postgres.dropDatabase("pick_before");
        }
    }

    @Test
    void badInputIsOneLineAndChangesNothing() throws Exception {
        backUp("bad_src", "bad/", 100);
        String tooLong = "x".repeat(64);

        PgBackupProcess.Result longName = pgBackup("bad_src", "bad/").run("restore", "--target-db", tooLong);
        assertThat(longName.exitCode()).as(longName.toString()).isEqualTo(2);
        assertThat(longName.stderr()).contains("--target-db").contains("at most 63 bytes");
        // --key with --before, a --before that is no time and a DB_NAME of several databases: in-process, in
        // StartRefusedBeforeAnyConnectionTest; a bad --target-db stays here, through the real process

        PgBackupProcess.Result missing = pgBackup("bad_src", "bad/").run("restore", "--target-db", "bad_t", "--key",
                "bad/2020/01/01/bad_src_20200101000000.sql.gz");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
        assertThat(missing.stderr()).contains("no backup bad/2020/01/01/bad_src_20200101000000.sql.gz");

        String key = onlyKey("bad/");
        s3.put(BUCKET, key, "this is not gzip".getBytes(StandardCharsets.UTF_8));
        PgBackupProcess.Result unreadable = pgBackup("bad_src", "bad/").run("restore", "--target-db", "bad_t");
        assertThat(unreadable.exitCode()).as(unreadable.toString()).isEqualTo(1);
        // caught by its first chunk's hash before a byte reaches gunzip (a manifest without chunk hashes: "not a gzip file")
        assertThat(unreadable.stderr()).contains("differs from its manifest in chunk 0");
        assertThat(postgres.databasesLike("bad_t")).isEmpty();
    }

    // --- helpers

    /** A database with {@code orders} rows (none made when negative: the caller made it), backed up; its key. */
    String backUp(String database, String prefix, int orders) throws Exception {
        if (orders >= 0 && postgres.databasesLike(database).isEmpty()) {
            postgres.createDatabase(database);
            postgres.psql(database, "CREATE TABLE orders (id int PRIMARY KEY, note text);"
                    + " INSERT INTO orders SELECT g, 'note ' || g || ' ' || md5(g::text) FROM generate_series(1, " + orders + ") g;");
        }
        List<String> before = keys(prefix);
        PgBackupProcess.Result run = pgBackup(database, prefix).run("backup");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<String> after = new java.util.ArrayList<>(keys(prefix));
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    /** Puts {@code sql} in place of the object at {@code key}, with a manifest made to match it (SHA-256, sizes). */
    void replaceObject(String key, String sql) throws Exception {
        byte[] raw = sql.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(raw);
        }
        byte[] object = out.toByteArray();
        s3.put(BUCKET, key, object);
        ObjectNode manifest = (ObjectNode) manifest(key);
        manifest.put("objectSha256", sha256(object));
        manifest.put("objectBytes", object.length);
        manifest.put("rawBytes", raw.length);
        if (manifest.has("chunkBytes")) {
            // every checksum made to match: the chunks' too, so the load reaches what the test puts in the SQL
            int chunk = manifest.get("chunkBytes").asInt();
            com.fasterxml.jackson.databind.node.ArrayNode hashes = manifest.putArray("chunkSha256");
            for (int at = 0; at < object.length; at += chunk) {
                hashes.add(sha256(java.util.Arrays.copyOfRange(object, at, Math.min(object.length, at + chunk))));
            }
        }
        s3.put(BUCKET, key + ".manifest.json", JSON.writeValueAsBytes(manifest));
    }

    List<String> keys(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json")).toList();
    }

    String onlyKey(String prefix) {
        List<String> keys = keys(prefix);
        assertThat(keys).hasSize(1);
        return keys.get(0);
    }

    JsonNode manifest(String key) throws Exception {
        return JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
    }

    static String keyTime(String key) {
        var matcher = java.util.regex.Pattern.compile("_(\\d{14})\\.sql").matcher(key);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    static String lineOf(String output, String key) {
        return output.lines().filter(l -> l.startsWith(key + " ")).findFirst().orElseThrow(
                () -> new AssertionError("no line for " + key + " in:\n" + output)).strip();
    }

    static int s3Port() {
        return java.net.URI.create(s3.endpoint()).getPort();
    }

    static long members(byte[] object) throws Exception {
        GzipMembersInputStream in = new GzipMembersInputStream(new ByteArrayInputStream(object));
        in.transferTo(java.io.OutputStream.nullOutputStream());
        return in.members();
    }

    static String gunzipText(byte[] object) throws Exception {
        try (GzipMembersInputStream in = new GzipMembersInputStream(new ByteArrayInputStream(object))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static ZoneId seoul() {
        return ZoneId.of("Asia/Seoul");
    }

    /**
     * Restores with RESTORE into TARGET, which must exit 0 and give CHECK the same answer as SOURCE; returns that
     * answer. TARGET is dropped after, whatever happened.
     */
    private static String restoresAlike(PgBackupProcess restore, String source, String target, String check)
            throws Exception {
        try {
            PgBackupProcess.Result result = restore.run("restore", "--target-db", target);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            String restored = postgres.psql(target, check).strip();
            assertThat(restored).as(check).isEqualTo(postgres.psql(source, check).strip());
            return restored;
        } finally {
            postgres.dropDatabase(target);
        }
    }
}
