package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SlowNetworkProxy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * BACKUP_FORMAT=custom end to end, real PostgreSQL 15 and S3Proxy: a database with two schemas, a Hangul table, a
 * serial column, a foreign key, an index, a view depending on a table and a large object is backed up as a
 * custom-format archive (.dump.gz), then restored whole, one table, one schema, into an existing database (with and
 * without --clean), with --jobs 2, and test-restored by verify. Every load is checked against the manifest.
 */
@Timeout(600)
class CustomFormatIT {

    static final String BUCKET = "custom-format";
    static final String PASSWORD = "custom pw '따옴표'";
    static final String DATABASE = "shop_custom";
    static final String ITEMS = "SELECT count(*), sum(id), sum(q) FROM sales.items";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "custom_user", PASSWORD)
            // a space and Hangul: pg_restore gets its paths as one argument each
            .withWorkDir("pgbackup custom 작업 ")
            .withDatabase(DATABASE, """
                    CREATE SCHEMA sales;
                    CREATE SCHEMA "한글 스키마";
                    CREATE TABLE sales.orders (id int PRIMARY KEY, note text);
                    INSERT INTO sales.orders SELECT g, 'order ' || g FROM generate_series(1, 3000) g;
                    CREATE TABLE sales.items (id serial PRIMARY KEY, order_id int REFERENCES sales.orders (id),
                        q int CHECK (q > 0));
                    CREATE INDEX items_q ON sales.items (q);
                    INSERT INTO sales.items (order_id, q) SELECT g % 3000 + 1, g % 7 + 1 FROM generate_series(1, 20000) g;
                    CREATE VIEW sales.order_count AS SELECT count(*) AS n FROM sales.orders;
                    CREATE TABLE "한글 스키마"."주문" (id int, "이름" text);
                    INSERT INTO "한글 스키마"."주문" VALUES (1, '가나다'), (2, E'줄\\n바꿈');
                    SELECT lo_from_bytea(0, convert_to('large object 큰 객체', 'UTF8'));
                    COMMENT ON TABLE sales.items IS 'line items';
                    CREATE TABLE sales."it's ""odd""
                    name $x$" (x int PRIMARY KEY);
                    INSERT INTO sales."it's ""odd""
                    name $x$" VALUES (1), (2), (3);
                    """);

    static PostgresServer postgres;
    static S3Server s3;
    static String key;
    static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        PgBackupProcess.Result backup = pgBackup().set("BACKUP_FORMAT", "custom").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        key = s3.keys(BUCKET).stream().filter(k -> !k.endsWith(".manifest.json")).findFirst().orElseThrow();
    }

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        assertThat(postgres.databasesLike("pgbackup_restore_%")).as("temporary databases left").isEmpty();
        assertThat(postgres.databasesLike("pgbackup_verify_%")).as("temporary databases left").isEmpty();
        try (var files = Files.list(workDir)) {
            assertThat(files.toList()).as("files left in BACKUP_WORK_DIR").isEmpty();
        }
    }

    static PgBackupProcess pgBackup() {
        // BACKUP_PREFIX empty: the default
        return SERVERS.pgBackup(DATABASE, "").timeoutSeconds(240).set("BACKUP_WORK_DIR", workDir.toString())
                .set("PG_RESTORE_PATH", PostgresServer.BIN.resolve("pg_restore").toString());
    }

    /**
     * The backup stored again under the key of the same day at {@code time} (HHmmss), its manifest's one field matching
     * {@code field} (a regex) replaced by {@code replacement}: a backup whose manifest says something else.
     */
    static String copyOfTheBackup(String time, String field, String replacement) {
        String copy = key.substring(0, key.lastIndexOf('_') + 9) + time + ".dump.gz";
        String manifest = new String(s3.get(BUCKET, key + ".manifest.json"), StandardCharsets.UTF_8);
        String edited = manifest.replace(key, copy).replaceFirst(field, replacement);
        assertThat(edited).as("the manifest field %s was changed", field).isNotEqualTo(manifest.replace(key, copy));
        s3.put(BUCKET, copy, s3.get(BUCKET, key));
        s3.put(BUCKET, copy + ".manifest.json", edited.getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    @Test
    void theBackupIsAnArchiveWithRowsPerTableInItsManifest() throws Exception {
        assertThat(key).endsWith(".dump.gz");
        String manifest = new String(s3.get(BUCKET, key + ".manifest.json"), StandardCharsets.UTF_8);
        assertThat(manifest).contains("\"sales.items\" : 20000").contains("\"sales.orders\" : 3000")
                .contains("\"\\\"한글 스키마\\\".\\\"주문\\\"\" : 2");
        PgBackupProcess.Result list = pgBackup().run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).contains(key).contains("good");
    }

    @Test
    void aWholeRestoreHasEverything() throws Exception {
        PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_whole");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("4 tables, 23005 rows, all as dumped");
            assertThat(postgres.schema("custom_whole")).isEqualTo(postgres.schema(DATABASE));
            assertThat(postgres.psql("custom_whole", ITEMS)).isEqualTo(postgres.psql(DATABASE, ITEMS));
            assertThat(postgres.psql("custom_whole", "SELECT n FROM sales.order_count").strip()).isEqualTo("3000");
            assertThat(postgres.psql("custom_whole", "SELECT convert_from(lo_get(oid), 'UTF8') FROM pg_largeobject_metadata")
                    .strip()).isEqualTo("large object 큰 객체");
        } finally {
            postgres.dropDatabase("custom_whole");
        }
    }

    @Test
    void oneTableIntoANewDatabaseComesWithItsIndexesConstraintsAndSequence() throws Exception {
        PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_items", "--table", "sales.items");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("1 tables, 20000 rows, all as dumped");
            assertThat(restore.stderr()).contains("left out foreign key sales.items items_order_id_fkey");
            assertThat(postgres.psql("custom_items", ITEMS)).isEqualTo(postgres.psql(DATABASE, ITEMS));
            assertThat(postgres.psql("custom_items", "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'sales'").strip())
                    .isEqualTo("items,items_id_seq,items_pkey,items_q");
            assertThat(postgres.psql("custom_items", "SELECT nextval('sales.items_id_seq')").strip()).isEqualTo("20001");
            assertThat(postgres.psql("custom_items", "SELECT obj_description('sales.items'::regclass)").strip())
                    .isEqualTo("line items");
        } finally {
            postgres.dropDatabase("custom_items");
        }
    }

    /** A hostile table name (quotes, a line break, a dollar quote), named as SQL would or as it is, into an existing database. */
    @Test
    void aTableWithAHostileNameIntoAnExistingDatabase() throws Exception {
        String odd = "sales.\"it's \"\"odd\"\"\nname $x$\"";
        postgres.createDatabase("custom_odd");
        try {
            PgBackupProcess.Result quoted = pgBackup().run("restore", "--target-db", "custom_odd", "--table", odd,
                    "--into-existing");
            assertThat(quoted.exitCode()).as(quoted.toString()).isZero();
            assertThat(quoted.stdout()).contains("1 tables, 3 rows, all as dumped (checked before the commit)");
            assertThat(postgres.psql("custom_odd", "SELECT sum(x) FROM " + odd).strip()).isEqualTo("6");

            PgBackupProcess.Result again = pgBackup().run("restore", "--target-db", "custom_odd", "--table",
                    "sales.it's \"odd\"\nname $x$", "--into-existing");
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
            assertThat(again.stderr()).contains("already exists in this database: add --clean");
        } finally {
            postgres.dropDatabase("custom_odd");
        }
    }

    @Test
    void oneSchemaWithAHangulName() throws Exception {
        PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_hangul", "--schema", "한글 스키마");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(postgres.psql("custom_hangul", "SELECT string_agg(\"이름\", '|' ORDER BY id) FROM \"한글 스키마\".\"주문\""))
                    .isEqualTo(postgres.psql(DATABASE, "SELECT string_agg(\"이름\", '|' ORDER BY id) FROM \"한글 스키마\".\"주문\""));
            assertThat(postgres.psql("custom_hangul", "SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'").strip())
                    .isEqualTo("0");
        } finally {
            postgres.dropDatabase("custom_hangul");
        }
    }

    @Test
    void intoAnExistingDatabaseRefusedWithoutCleanReplacedWithIt() throws Exception {
        PgBackupProcess.Result whole = pgBackup().run("restore", "--target-db", "custom_existing");
        assertThat(whole.exitCode()).as(whole.toString()).isZero();
        try {
            postgres.psql("custom_existing", "DELETE FROM sales.items WHERE id > 100; CREATE TABLE public.mine (x int)");

            PgBackupProcess.Result refused = pgBackup().run("restore", "--target-db", "custom_existing",
                    "--table", "sales.items", "--into-existing");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.stderr()).contains("sales.items already exists in this database: add --clean");
            assertThat(postgres.psql("custom_existing", "SELECT count(*) FROM sales.items").strip()).isEqualTo("100");

            PgBackupProcess.Result clean = pgBackup().run("restore", "--target-db", "custom_existing",
                    "--table", "sales.items", "--into-existing", "--clean");
            assertThat(clean.exitCode()).as(clean.toString()).isZero();
            assertThat(clean.stdout()).contains("1 tables, 20000 rows, all as dumped (checked before the commit)");
            assertThat(postgres.psql("custom_existing", ITEMS)).isEqualTo(postgres.psql(DATABASE, ITEMS));
            assertThat(postgres.schema("custom_existing")).as("indexes, constraints, the foreign key: all back")
                    .contains("CREATE INDEX items_q").contains("items_order_id_fkey").contains("items_pkey")
                    .as("the rest of the database as it was").contains("CREATE TABLE public.mine");
        } finally {
            postgres.dropDatabase("custom_existing");
        }
    }

    @Test
    void aTableAViewDependsOnIsNotDroppedUnderIt() throws Exception {
        PgBackupProcess.Result whole = pgBackup().run("restore", "--target-db", "custom_view");
        assertThat(whole.exitCode()).as(whole.toString()).isZero();
        try {
            postgres.psql("custom_view", "DELETE FROM sales.orders WHERE id > 2000 AND id NOT IN (SELECT order_id FROM sales.items)");
            String before = postgres.psql("custom_view", "SELECT count(*) FROM sales.orders");
            PgBackupProcess.Result clean = pgBackup().run("restore", "--target-db", "custom_view",
                    "--table", "sales.orders", "--into-existing", "--clean");
            assertThat(clean.exitCode()).as(clean.toString()).isEqualTo(1);
            assertThat(clean.stderr()).contains("depend");
            assertThat(postgres.psql("custom_view", "SELECT count(*) FROM sales.orders")).isEqualTo(before);
            assertThat(postgres.psql("custom_view", "SELECT n FROM sales.order_count")).isEqualTo(before);
        } finally {
            postgres.dropDatabase("custom_view");
        }
    }

    /** The object differs from its manifest only at its very end: pg_restore has long finished, psql never commits. */
    @Test
    void aMismatchFoundAfterPgRestoreStoppedReadingCommitsNothing() throws Exception {
        PgBackupProcess.Result whole = pgBackup().run("restore", "--target-db", "custom_mismatch");
        assertThat(whole.exitCode()).as(whole.toString()).isZero();
        String badKey = copyOfTheBackup("235959", "\"objectSha256\" : \"[0-9a-f]{64}\"",
                "\"objectSha256\" : \"" + "0".repeat(64) + "\"");
        try {
            postgres.psql("custom_mismatch", "DELETE FROM sales.items WHERE id > 100");

            PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_mismatch", "--key", badKey,
                    "--table", "sales.items", "--into-existing", "--clean");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.stderr()).contains("the object is corrupted");
            assertThat(postgres.psql("custom_mismatch", "SELECT count(*) FROM sales.items").strip()).isEqualTo("100");
        } finally {
            s3.client().deleteObject(b -> b.bucket(BUCKET).key(badKey));
            s3.client().deleteObject(b -> b.bucket(BUCKET).key(badKey + ".manifest.json"));
            postgres.dropDatabase("custom_mismatch");
        }
    }

    @Test
    void inParallelTheDataIsTheSameAndTheArchiveFileIsRemoved() throws Exception {
        PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_jobs", "--jobs", "2");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stderr()).contains("restore --jobs 2: writing the archive of " + key);
            assertThat(restore.stdout()).contains("4 tables, 23005 rows, all as dumped");
            assertThat(postgres.schema("custom_jobs")).isEqualTo(postgres.schema(DATABASE));
            for (String table : List.of("sales.items", "sales.orders", "\"한글 스키마\".\"주문\"")) {
                String digest = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM " + table + " t";
                assertThat(postgres.psql("custom_jobs", digest)).as(table).isEqualTo(postgres.psql(DATABASE, digest));
            }
        } finally {
            postgres.dropDatabase("custom_jobs");
        }
    }

    /**
     * One table into a second server with its own login, the object handed over in 16 KiB pieces: pg_restore is done
     * long before the download is, and the restore still waits for the whole object's checks.
     */
    @Test
    void oneTableIntoAnotherServerThroughASlowNetwork() throws Exception {
        try (PostgresServer staging = PostgresServer.dedicated();
                SlowNetworkProxy slow = new SlowNetworkProxy(URI.create(s3.endpoint()).getPort(), 16 * 1024)) {
            staging.createRole("stage_user", "staging pw 스테이징");
            PgBackupProcess.Result restore = pgBackup().set("OBJECT_STORAGE_ENDPOINT", slow.endpoint())
                    .set("RESTORE_DB_HOST", staging.host()).set("RESTORE_DB_PORT", Integer.toString(staging.port()))
                    .set("RESTORE_DB_USER", "stage_user").set("RESTORE_DB_PASSWORD", "staging pw 스테이징")
                    .run("restore", "--target-db", "orders_only", "--table", "sales.orders", "--no-owner",
                            "--no-privileges");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stdout()).contains("1 tables, 3000 rows, all as dumped");
            assertThat(slow.downstreamBytes()).as("the whole object was read").isGreaterThanOrEqualTo(
                    s3.get(BUCKET, key).length);
            assertThat(staging.psql("orders_only", "SELECT count(*), sum(id) FROM sales.orders").strip())
                    .isEqualTo("3000|4501500");
            assertThat(staging.psql("orders_only", "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'").strip())
                    .isEqualTo("stage_user");
            assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'orders_only'").strip())
                    .as("nothing made on the source server").isEqualTo("0");
            assertThat(restore.all()).doesNotContain("staging pw");
        }
    }

    /** --jobs needs the archive's size free in BACKUP_WORK_DIR: refused before the download, nothing created. */
    @Test
    void jobsWithoutTheRoomIsRefusedBeforeTheDownload() throws Exception {
        String bigKey = copyOfTheBackup("235958", "\"rawBytes\" : \\d+", "\"rawBytes\" : 1000000000000000");
        try {
            PgBackupProcess.Result restore = pgBackup().run("restore", "--target-db", "custom_no_room", "--key", bigKey,
                    "--jobs", "2");
            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.stderr()).contains("restore --jobs: BACKUP_WORK_DIR " + workDir)
                    .contains("the archive of " + bigKey + " needs 931322.57 GiB").contains("restore without --jobs");
            assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'custom_no_room'")
                    .strip()).isEqualTo("0");
        } finally {
            s3.client().deleteObject(b -> b.bucket(BUCKET).key(bigKey));
            s3.client().deleteObject(b -> b.bucket(BUCKET).key(bigKey + ".manifest.json"));
        }
    }

    @Test
    void badInputIsOneLineAndChangesNothing() throws Exception {
        PgBackupProcess.Result unknown = pgBackup().run("restore", "--target-db", "custom_unknown", "--table", "sales.nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("the backup has no table sales.nope; its tables: ")
                .contains("sales.orders");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'custom_unknown'").strip())
                .isEqualTo("0");

        // --clean without --into-existing: in-process, in StartRefusedBeforeAnyConnectionTest

        PgBackupProcess.Result notThere = pgBackup().run("restore", "--target-db", "custom_absent", "--table",
                "sales.items", "--into-existing");
        assertThat(notThere.exitCode()).as(notThere.toString()).isEqualTo(1);
        assertThat(notThere.stderr()).contains("database custom_absent does not exist");
    }

    @Test
    void aPlainBackupRefusesTableSelection() throws Exception {
        PgBackupProcess.Result plain = pgBackup().set("BACKUP_PREFIX", "plain/").run("backup");
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        PgBackupProcess.Result restore = pgBackup().set("BACKUP_PREFIX", "plain/").run("restore", "--target-db",
                "custom_plain", "--table", "sales.items");
        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("is a plain SQL backup").contains("BACKUP_FORMAT=custom");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'custom_plain'").strip())
                .isEqualTo("0");
    }

    @Test
    void theTestRestoreReadsACustomBackup() throws Exception {
        PgBackupProcess.Result verify = pgBackup().run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.all()).contains("4 tables, 23005 rows, all as dumped");
    }
}
