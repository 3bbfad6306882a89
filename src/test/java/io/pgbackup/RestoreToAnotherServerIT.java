package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.SecretManagerStandIn;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A production backup restored into a staging server with the staging server's own login (RESTORE_DB_HOST,
 * RESTORE_DB_PORT, RESTORE_DB_USER, and RESTORE_DB_PASSWORD or the Secret Manager secret RESTORE_SECRET_ID): the
 * production password is not needed, the production server is never contacted (its address points at a closed
 * port during the restore), and nothing is created on it. Two real PostgreSQL 15 servers and S3Proxy.
 */
@Timeout(300)
class RestoreToAnotherServerIT {

    static final String BUCKET = "restore-elsewhere";
    static final String PRODUCTION_PASSWORD = "production pw 'p' 운영";
    static final String STAGING_PASSWORD = "staging pw \"s\" 스테이징";
    static final String DATABASE = "shop";

    /** Production: the shared server with prod_user, and the store. */
    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "prod_user", PRODUCTION_PASSWORD);

    static PostgresServer production;
    static PostgresServer staging;
    static S3Server s3;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        production = SERVERS.postgres();
        staging = PostgresServer.dedicated();
        production.createRole("reporting", "reporting pw");
        production.createDatabase(DATABASE);
        // roles staging does not have (owner, a grantee), and text that merely looks like the statements naming them:
        // a function whose body has GRANT / OWNER TO lines, a comment spanning lines that begin so
        production.psql(DATABASE, """
                CREATE TABLE public.orders (id int PRIMARY KEY, note text);
                INSERT INTO public.orders SELECT g, 'order ' || g FROM generate_series(1, 1234) g;
                CREATE VIEW public.big_orders AS SELECT * FROM public.orders WHERE id > 1000;
                ALTER TABLE public.orders OWNER TO prod_user;
                GRANT SELECT ON public.orders TO reporting;
                CREATE FUNCTION public.share_orders() RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                GRANT SELECT ON public.orders TO PUBLIC;
                ALTER TABLE public.orders OWNER TO CURRENT_USER;
                END
                $$;
                COMMENT ON TABLE public.orders IS 'orders, one a line
                GRANT nothing: this is a comment
                ALTER TABLE x OWNER TO y;';
                """);
        staging.createRole("stage_user", STAGING_PASSWORD);
        staging.psql("postgres", "ALTER ROLE stage_user CREATEDB");

        PgBackupProcess.Result backup = SERVERS.pgBackup(DATABASE, "").timeoutSeconds(120).run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        key = s3.keys(BUCKET).stream().filter(k -> !k.endsWith(".manifest.json")).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (staging != null) {
            staging.close();
        }
    }

    /** The production server's address points at a port nobody listens on: a restore that used it would fail. */
    static PgBackupProcess restoreWithoutProduction() throws Exception {
        return new PgBackupProcess().timeoutSeconds(120).setAll(Map.of(
                "DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(PostgresServer.freePort()), "DB_USER", "prod_user",
                "DB_NAME", DATABASE, "BUCKET_NAME", BUCKET, "RETRY_MAX", "0",
                "PSQL_PATH", PostgresServer.BIN.resolve("psql").toString(),
                "RESTORE_DB_HOST", staging.host(), "RESTORE_DB_PORT", Integer.toString(staging.port()),
                "RESTORE_DB_USER", "stage_user")).setAll(s3.clientSettings());
    }

    @Test
    void withItsOwnPasswordTheProductionPasswordIsNotNeeded() throws Exception {
        PgBackupProcess.Result restore = restoreWithoutProduction().set("RESTORE_DB_PASSWORD", STAGING_PASSWORD)
                .run("restore", "--target-db", "shop_staging", "--no-owner", "--no-privileges");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.stdout()).contains("restored " + key + " into database shop_staging")
                .contains("1 tables, 1234 rows, all as dumped");
        assertThat(staging.psql("shop_staging", "SELECT count(*), sum(id) FROM public.orders").strip())
                .isEqualTo("1234|761995");
        assertThat(staging.psql("shop_staging", "SELECT count(*) FROM public.big_orders").strip()).isEqualTo("234");
        assertThat(staging.psql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop_staging'")
                .strip()).isEqualTo("stage_user");
        assertThat(staging.psql("shop_staging", "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'").strip())
                .as("--no-owner: owned by the user restoring").isEqualTo("stage_user");
        assertThat(staging.psql("shop_staging", "SELECT prosrc FROM pg_proc WHERE proname = 'share_orders'"))
                .as("a function's body is text, kept whole").isEqualTo(production.psql(DATABASE,
                        "SELECT prosrc FROM pg_proc WHERE proname = 'share_orders'"))
                .contains("GRANT SELECT ON public.orders TO PUBLIC;").contains("OWNER TO CURRENT_USER;");
        assertThat(staging.psql("shop_staging", "SELECT obj_description('public.orders'::regclass, 'pg_class')"))
                .isEqualTo(production.psql(DATABASE, "SELECT obj_description('public.orders'::regclass, 'pg_class')"))
                .contains("GRANT nothing: this is a comment");
        assertThat(production.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_staging%'"
                + " OR datname LIKE 'pgbackup_restore_%'").strip()).as("nothing made on production").isEqualTo("0");
        assertThat(restore.all()).doesNotContain(STAGING_PASSWORD);
        staging.dropDatabase("shop_staging");
    }

    @Test
    void withItsOwnSecretManagerSecret() throws Exception {
        try (SecretManagerStandIn secrets = new SecretManagerStandIn("staging-db-secret", "cdbPassword", STAGING_PASSWORD)) {
            PgBackupProcess.Result restore = restoreWithoutProduction().set("RESTORE_SECRET_ID", "staging-db-secret")
                    .set("SECRET_MANAGER_URL", secrets.url()).set("ACCESS_KEY", SecretManagerStandIn.ACCESS_KEY)
                    .set("SECRET_KEY", SecretManagerStandIn.SECRET_KEY)
                    .run("restore", "--target-db", "shop_from_secret", "--no-owner", "--no-privileges");

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(secrets.verdicts()).as("one correctly signed call for the staging secret").containsExactly("ok");
            assertThat(staging.psql("shop_from_secret", "SELECT count(*) FROM public.orders").strip()).isEqualTo("1234");
            assertThat(restore.all()).doesNotContain(STAGING_PASSWORD).doesNotContain(SecretManagerStandIn.SECRET_KEY);
            staging.dropDatabase("shop_from_secret");
        }
    }

    /** Without --no-owner the source's owner role is missing on staging: refused with a hint, nothing left behind. */
    @Test
    void aMissingRoleIsOneLineWithTheWayOut() throws Exception {
        PgBackupProcess.Result restore = restoreWithoutProduction().set("RESTORE_DB_PASSWORD", STAGING_PASSWORD)
                .run("restore", "--target-db", "shop_with_owner");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("role \"prod_user\" does not exist").contains("--no-owner --no-privileges")
                .doesNotContain("No body available");
        assertThat(staging.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_with_owner%'"
                + " OR datname LIKE 'pgbackup_restore_%'").strip()).isEqualTo("0");
    }

    @Test
    void aWrongStagingPasswordChangesNothingAndSaysWhere() throws Exception {
        PgBackupProcess.Result restore = restoreWithoutProduction().set("RESTORE_DB_PASSWORD", "not the password")
                .run("restore", "--target-db", "shop_never");

        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("restore FAILED").contains("password authentication failed")
                .contains("stage_user");
        assertThat(staging.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop_never%'"
                + " OR datname LIKE 'pgbackup_restore_%'").strip()).isEqualTo("0");
        assertThat(restore.all()).doesNotContain("not the password");
    }
}
