package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.KeyClock;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The core pipeline end to end, as a user runs it: the packaged jar, real PostgreSQL 15, S3Proxy over HTTPS with
 * signature v4 required (like NCP Object Storage), and a Secret Manager stand-in that checks the API Gateway signature.
 */
@Timeout(600)
@io.pgbackup.support.OnLauncher("one full backup and restore through the shipped launcher; pg_dump's argv and environment")
class BackupRestoreIT {

    /** Spaces, both quotes, a command substitution, a backslash and Hangul: none may reach argv or output. */
    static final String DB_PASSWORD = "p a'ss \"w$(touch /tmp/pwned)`id`\\ 비밀";
    static final String SECRET_ID = "sec-it-core";
    static final String SOURCE_DB = "상점 shop";
    static final String BUCKET = "pg-backups";

    // over HTTPS with signature v4 only, like NCP Object Storage: the production path (unsigned payload over TLS)
    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "backup_user", DB_PASSWORD).overHttps()
            .withSecretManager(SECRET_ID)
            .withDatabase(SOURCE_DB, """
                    CREATE SCHEMA "판매";
                    CREATE TABLE "판매"."주문" (
                      id bigserial PRIMARY KEY,
                      "고객 이름" text NOT NULL,
                      detail jsonb,
                      receipt bytea,
                      ordered_at timestamptz DEFAULT now()
                    );
                    INSERT INTO "판매"."주문" ("고객 이름", detail, receipt)
                      SELECT '고객 ' || g || E' tab\\there ''quote'' "dq"',
                             jsonb_build_object('n', g, 'tags', jsonb_build_array('가', 'b', g % 7), 'nested', jsonb_build_object('ok', g % 2 = 0)),
                             decode(md5(g::text), 'hex') || '\\x00ff'::bytea
                      FROM generate_series(1, 5000) g;
                    INSERT INTO "판매"."주문" ("고객 이름", detail, receipt) VALUES ('null fields', NULL, NULL);
                    CREATE TABLE public.plain_numbers (n int, label varchar(20));
                    INSERT INTO public.plain_numbers SELECT g, 'n' || g FROM generate_series(1, 1000) g;
                    CREATE VIEW "판매"."큰 주문" AS SELECT id, "고객 이름" FROM "판매"."주문" WHERE id % 10 = 0;
                    CREATE FUNCTION "판매"."주문수"() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "판매"."주문" $$;
                    """);

    static PostgresServer postgres;
    static S3Server s3;
    static SecretManagerStandIn secretManager;

    @TempDir
    Path workDir;

    /** Settings as a user would export them: password from Secret Manager, keys for both services. */
    PgBackupProcess pgBackup() {
        return SERVERS.connected(SOURCE_DB)
                .set("BACKUP_WORK_DIR", workDir.toString())
                .set("PSQL_PATH", PostgresServer.BIN.resolve("psql").toString());
    }

    @Test
    void backupThenRestoreGivesIdenticalData() throws Exception {
        int before = s3.objects(BUCKET).size();
        int verdictsBefore = secretManager.verdicts().size();

        PgBackupProcess.Result backup = pgBackup().run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(secretManager.verdicts().subList(verdictsBefore, secretManager.verdicts().size()))
                .as("the signed Secret Manager call was accepted").containsExactly("ok");
        List<S3Object> objects = s3.objects(BUCKET);
        assertThat(objects).hasSize(before + 1);
        S3Object stored = newest(objects);
        assertThat(stored.key()).matches("\\d{4}/\\d{2}/\\d{2}/" + SOURCE_DB + "_\\d{14}\\.sql\\.gz");
        assertThat(backup.stderr()).contains(stored.key());
        String sql = gunzip(s3.get(BUCKET, stored.key()));
        assertThat(sql).startsWith("--\n-- PostgreSQL database dump").contains("PostgreSQL database dump complete");
        assertThat(workDirFiles()).as("the work dir is left clean").isEmpty();

        String target = "restored " + System.nanoTime();
        try {
            PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", target);

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains(stored.key());
            assertThat(postgres.schema(target)).isEqualTo(postgres.schema(SOURCE_DB));
            for (String table : List.of("\"판매\".\"주문\"", "public.plain_numbers", "\"판매\".\"큰 주문\"")) {
                assertThat(contentHash(target, table)).as(table).isEqualTo(contentHash(SOURCE_DB, table));
            }
            assertThat(postgres.psql(target, "SELECT \"판매\".\"주문수\"()").strip()).isEqualTo("5001");
            assertThat(postgres.psql(target, "SELECT receipt FROM \"판매\".\"주문\" WHERE id = 1").strip())
                    .isEqualTo(postgres.psql(SOURCE_DB, "SELECT receipt FROM \"판매\".\"주문\" WHERE id = 1").strip())
                    .endsWith("00ff");
            assertNoSecretIn(backup.all(), restore.all());
        } finally {
            postgres.dropDatabase(target);
        }
    }

    /**
     * pg_dump gets the password in its environment: a wrapper records its argv, whether PGPASSWORD holds the password
     * (compared by its SHA-256, so the test hands the password to nobody) and its whole environment.
     */
    @Test
    void thePasswordReachesPgDumpThroughItsEnvironmentOnlyAndNoOutput() throws Exception {
        Path record = workDir.resolveSibling(workDir.getFileName() + "-argv.txt");
        Path wrapper = workDir.resolveSibling(workDir.getFileName() + "-pg_dump.sh");
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "printf '%s\\n' \"$0\" \"$@\" > '" + record + "'\n"
                + "[ \"$(printf '%s' \"$PGPASSWORD\" | sha256sum | cut -d' ' -f1)\" = '" + sha256(DB_PASSWORD)
                + "' ] && echo PGPASSWORD-matches >> '" + record + "'\n"
                + "env | cut -d= -f1 | sort | sed 's/^/ENV /' >> '" + record + "'\n"
                + "exec '" + PostgresServer.BIN.resolve("pg_dump") + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        try {
            PgBackupProcess.Result backup = pgBackup()
                    .set("PG_DUMP_PATH", wrapper.toString())
                    .set("LOG_LEVEL", "DEBUG")
                    .set("CAMEL_LOG_LEVEL", "DEBUG")
                    .set("UNRELATED_SETTING", "not for pg_dump")
                    .run("backup");

            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            String argv = Files.readString(record);
            assertThat(argv).contains("PGPASSWORD-matches").doesNotContain("--host").doesNotContain("--dbname");
            assertThat(argv.replace("PGPASSWORD-matches", "")).doesNotContain("비밀").doesNotContain("p a'ss");
            List<String> environment = argv.lines().filter(l -> l.startsWith("ENV ")).map(l -> l.substring(4)).toList();
            assertThat(environment).as("pg_dump's environment: built from scratch, only what libpq needs")
                    .contains("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PATH")
                    .doesNotContain("SECRET_KEY", "ACCESS_KEY", "OBJECT_STORAGE_SECRET_KEY", "UNRELATED_SETTING", "DB_USER")
                    .allMatch(name -> name.startsWith("PG") || List.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE",
                            "LC_MESSAGES", "TZ", "TMPDIR", "PWD", "SHLVL", "_").contains(name), "PG*, PATH, HOME or locale");
            // a logged DEBUG line ("DEBUG [logger]"), not the launcher's own "pg-backup: DEBUG java ..." line
            assertThat(backup.stderr()).as("DEBUG logging is on").containsPattern(" DEBUG +\\[");
            assertNoSecretIn(backup.all());
            assertThat(Path.of("/tmp/pwned")).doesNotExist();
        } finally {
            Files.deleteIfExists(record);
            Files.deleteIfExists(wrapper);
        }
    }

    @Test
    void twoBackupsASecondApartBothStay() throws Exception {
        PgBackupProcess.Result first = pgBackup().run("backup");
        KeyClock.nextSecond();
        PgBackupProcess.Result second = pgBackup().run("backup");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        String firstKey = storedKey(first);
        String secondKey = storedKey(second);
        assertThat(firstKey).isNotEqualTo(secondKey);
        assertThat(s3.objects(BUCKET)).extracting(S3Object::key).contains(firstKey, secondKey);

        PgBackupProcess.Result list = pgBackup().run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains(firstKey).contains(secondKey);
    }

    /** Keys for the next seconds already exist: the backup must refuse, and leave them untouched. */
    @Test
    void anExistingObjectIsNeverOverwritten() throws Exception {
        String prefix = "occupied-" + System.nanoTime() + "/";
        List<String> occupied = new ArrayList<>();
        ZonedDateTime now = ZonedDateTime.now(ZoneId.of("Asia/Seoul"));
        for (int s = -2; s < 60; s++) {
            ZonedDateTime t = now.plusSeconds(s);
            String key = prefix + t.format(DateTimeFormatter.ofPattern("yyyy/MM/dd")) + "/" + SOURCE_DB + "_"
                    + t.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + ".sql.gz";
            s3.client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("keep me"));
            occupied.add(key);
        }

        PgBackupProcess.Result backup = pgBackup().set("BACKUP_PREFIX", prefix).run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
        assertThat(backup.stderr()).contains("already exists");
        assertThat(s3.objects(BUCKET)).filteredOn(o -> o.key().startsWith(prefix)).hasSize(occupied.size())
                .allSatisfy(o -> assertThat(o.size()).isEqualTo(7L));
    }

    @Test
    void aWrongSecretKeyIsRejectedBySecretManagerAndNothingIsStored() throws Exception {
        int before = s3.objects(BUCKET).size();
        int verdictsBefore = secretManager.verdicts().size();

        PgBackupProcess.Result backup = pgBackup().set("SECRET_KEY", "not-the-secret-key").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
        assertThat(backup.stderr()).contains("401");
        assertThat(secretManager.verdicts().subList(verdictsBefore, secretManager.verdicts().size()))
                .containsExactly("bad-signature");
        assertThat(s3.objects(BUCKET)).hasSize(before);
        assertThat(backup.all()).doesNotContain("not-the-secret-key");
    }

    @Test
    void aWrongAccessKeyIsRejectedBySecretManager() throws Exception {
        int verdictsBefore = secretManager.verdicts().size();

        PgBackupProcess.Result backup = pgBackup().set("ACCESS_KEY", "someone-else").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isEqualTo(1);
        assertThat(secretManager.verdicts().subList(verdictsBefore, secretManager.verdicts().size()))
                .containsExactly("unknown-access-key");
    }

    /** From a folder with no routes/ and no application.properties, the jar's own copies are used. */
    @Test
    void theJarCarriesItsRoutesAsAFallback(@TempDir Path emptyFolder) throws Exception {
        PgBackupProcess.Result list = pgBackup().in(emptyFolder).run("list");

        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains("KEY").contains("backup(s)");
    }

    private void assertNoSecretIn(String... outputs) {
        for (String output : outputs) {
            assertThat(output).doesNotContain(DB_PASSWORD).doesNotContain("p a'ss").doesNotContain("비밀")
                    .doesNotContain(SecretManagerStandIn.SECRET_KEY).doesNotContain(S3Server.SECRET_KEY)
                    .doesNotContain(PostgresServer.SUPERUSER_PASSWORD);
        }
    }

    private String contentHash(String database, String table) throws Exception {
        return postgres.psql(database, "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM "
                + table + " t").strip();
    }

    private List<Path> workDirFiles() throws Exception {
        try (Stream<Path> files = Files.walk(workDir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static S3Object newest(List<S3Object> objects) {
        return objects.stream().filter(o -> o.key().endsWith(".sql.gz"))
                .max(java.util.Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key)).orElseThrow();
    }

    private static String storedKey(PgBackupProcess.Result result) {
        var matcher = java.util.regex.Pattern.compile("stored: " + BUCKET + "/(.+?\\.sql\\.gz)").matcher(result.stderr());
        assertThat(matcher.find()).as(result.toString()).isTrue();
        return matcher.group(1);
    }

    static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String gunzip(byte[] compressed) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
