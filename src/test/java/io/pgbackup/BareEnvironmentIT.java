package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * pg-backup as cron runs it: through bin/pg-backup, from the root folder (no ./routes, no ./application.properties:
 * the jar's own routes, loaded by name), with an environment as bare as cron's (PATH, HOME and the settings; no LANG,
 * LC_ALL or LC_CTYPE). A database named in Hangul with a space is backed up, listed and one Hangul table restored by
 * its name: without a UTF-8 locale Java reads every non-ASCII character of the arguments and environment as '?'.
 */
@Timeout(300)
class BareEnvironmentIT {

    static final String BUCKET = "bare-env";
    static final String PASSWORD = "bare pw";
    static final String DATABASE = "가게 bare shop";
    static final String TABLE = "\"Ünïcode schema\".\"주문\"";

    static PostgresServer postgres;
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        assertThat(System.getProperty("sun.jnu.encoding")).as("the test JVM itself must pass Hangul arguments on:"
                + " run the tests with a UTF-8 LANG (.ci/run sets one)").isEqualToIgnoringCase("UTF-8");
        postgres = PostgresServer.shared();
        s3 = new S3Server();
        s3.createBucket(BUCKET);
        postgres.createRole("bare_user", PASSWORD);
        postgres.createDatabase(DATABASE);
        postgres.psql(DATABASE, """
                CREATE SCHEMA "Ünïcode schema";
                CREATE TABLE "Ünïcode schema"."주문" (id int PRIMARY KEY, "이름" text);
                INSERT INTO "Ünïcode schema"."주문" SELECT g, '가나다 ' || g FROM generate_series(1, 500) g;
                CREATE TABLE public.other (id int);
                INSERT INTO public.other VALUES (1), (2);
                GRANT ALL ON SCHEMA "Ünïcode schema" TO bare_user;
                GRANT ALL ON ALL TABLES IN SCHEMA "Ünïcode schema", public TO bare_user;
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /** The child's environment: PATH, HOME and the settings only, run from "/". */
    static PgBackupProcess bare() {
        return new PgBackupProcess().in(Path.of("/")).without("LANG").without("LC_ALL").without("LC_CTYPE")
                .timeoutSeconds(240)
                .setAll(Map.of("DB_USER", "bare_user", "DB_PASSWORD", PASSWORD, "DB_NAME", DATABASE,
                        "BUCKET_NAME", BUCKET, "RETRY_MAX", "0", "BACKUP_FORMAT", "custom",
                        "PSQL_PATH", PostgresServer.BIN.resolve("psql").toString(),
                        "PG_RESTORE_PATH", PostgresServer.BIN.resolve("pg_restore").toString()))
                .setAll(postgres.clientSettings()).setAll(s3.clientSettings());
    }

    @Test
    void aHangulDatabaseBacksUpListsAndRestoresATableByNameUnderABareEnvironment() throws Exception {
        PgBackupProcess.Result backup = bare().run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String key = s3.keys(BUCKET).stream().filter(k -> k.endsWith(".dump.gz")).findFirst().orElseThrow();
        assertThat(key).as("the key names the database as it is").contains("/" + DATABASE + "_");

        PgBackupProcess.Result list = bare().run("list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.stdout()).as("list prints the Hangul key whole").contains(key);

        String target = "복원 restored";
        PgBackupProcess.Result restore = bare().run("restore", "--target-db", target, "--table", TABLE);
        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(postgres.psql(target, "SELECT count(*), min(\"이름\") FROM " + TABLE).strip())
                .isEqualTo("500|가나다 1");
        assertThat(postgres.psql(target, "SELECT to_regclass('public.other') IS NULL").strip())
                .as("only the named table was restored").isEqualTo("t");
    }
}
