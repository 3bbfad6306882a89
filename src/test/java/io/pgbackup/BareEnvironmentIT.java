package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "bare_user", PASSWORD)
            .withDatabase(DATABASE, """
                    CREATE SCHEMA "Ünïcode schema";
                    CREATE TABLE "Ünïcode schema"."주문" (id int PRIMARY KEY, "이름" text);
                    INSERT INTO "Ünïcode schema"."주문" SELECT g, '가나다 ' || g FROM generate_series(1, 500) g;
                    CREATE TABLE public.other (id int);
                    INSERT INTO public.other VALUES (1), (2);
                    GRANT ALL ON SCHEMA "Ünïcode schema" TO bare_user;
                    GRANT ALL ON ALL TABLES IN SCHEMA "Ünïcode schema", public TO bare_user;
                    """);

    static PostgresServer postgres;
    static S3Server s3;

    @BeforeAll
    static void start() {
        assertThat(System.getProperty("sun.jnu.encoding")).as("the test JVM itself must pass Hangul arguments on:"
                + " run the tests with a UTF-8 LANG (.ci/run sets one)").isEqualToIgnoringCase("UTF-8");
    }

    /** The child's environment: PATH, HOME and the settings only, run from "/". */
    static PgBackupProcess bare() {
        return SERVERS.pgBackup(DATABASE, "").in(Path.of("/")).without("LANG").without("LC_ALL").without("LC_CTYPE")
                .timeoutSeconds(240)
                .set("BACKUP_FORMAT", "custom")
                .set("PG_RESTORE_PATH", PostgresServer.BIN.resolve("pg_restore").toString());
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
