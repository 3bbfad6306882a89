package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The plain dump and the roles script are read by SQL's lexing, not line by line (io.pgbackup.sql), end to end through
 * bin/pg-backup on a PostgreSQL 15 server of its own and S3Proxy: names, comments and function bodies that hold lines
 * looking like SQL stay names, comments and bodies, in the manifest, in restore, in verify and in the roles restore;
 * and a one-line function body larger than half the heap restores whole.
 */
@Timeout(900)
class SqlLexingIT {

    static final String BUCKET = "lexing-it";
    static final String PASSWORD = "lexing pw";
    static final ObjectMapper JSON = new ObjectMapper();

    static PostgresServer postgres;
    static S3Server s3;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "lexing_user", PASSWORD);

    PgBackupProcess pgBackup(String database, String prefix) {
        return SERVERS.pgBackup(database, prefix).timeoutSeconds(600)
                .set("PG_DUMPALL_PATH", PostgresServer.BIN.resolve("pg_dumpall").toString());
    }

    /** The one backup under {@code prefix} (not the roles backup), with its manifest's tables. */
    Map<String, Long> manifestTables(String prefix) throws Exception {
        List<String> keys = s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json")
                && !k.contains("@globals")).toList();
        assertThat(keys).hasSize(1);
        JsonNode manifest = JSON.readTree(s3.get(BUCKET, keys.get(0) + ".manifest.json"));
        Map<String, Long> tables = new LinkedHashMap<>();
        manifest.get("tables").fields().forEachRemaining(e -> tables.put(e.getKey(), e.getValue().asLong()));
        return tables;
    }

    /**
     * A table named with a line break followed by a COPY header and a psql shell command: backup's manifest lists it
     * once under its real name with its rows, and restore and verify of that backup succeed, run nothing, and the
     * data arrives.
     */
    @Test
    void aTableNameHoldingACopyHeaderAndAShellCommandIsOneTableAndRunsNothing() throws Exception {
        Path pwned = Path.of("/tmp/pglex" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000));
        Files.deleteIfExists(pwned);
        String table = "x\nCOPY pg_class;\\!\ttouch " + pwned + ";#";
        String quoted = PostgresServer.quoteIdent(table);
        postgres.createDatabase("lex_names");
        postgres.psql("lex_names", "CREATE TABLE public." + quoted + " (id int, v text);"
                + " INSERT INTO public." + quoted + " SELECT g, 'row ' || g FROM generate_series(1, 7) g;"
                + " CREATE TABLE public.plain (id int); INSERT INTO public.plain SELECT generate_series(1, 3)");
        try {
            PgBackupProcess.Result backup = pgBackup("lex_names", "names/").run("backup");
            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            assertThat(manifestTables("names/")).containsExactlyInAnyOrderEntriesOf(
                    Map.of("public." + quoted, 7L, "public.plain", 3L));

            PgBackupProcess.Result restore = pgBackup("lex_names", "names/").run("restore", "--target-db", "lex_names_restored");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            String content = "SELECT count(*) || ':' || md5(string_agg(id || v, ',' ORDER BY id)) FROM public." + quoted;
            assertThat(postgres.psql("lex_names_restored", content)).isEqualTo(postgres.psql("lex_names", content))
                    .startsWith("7:");

            PgBackupProcess.Result verify = pgBackup("lex_names", "names/").run("verify");
            assertThat(verify.exitCode()).as(verify.toString()).isZero();
            assertThat(pwned).as("the shell command in the table's name never ran").doesNotExist();
        } finally {
            Files.deleteIfExists(pwned);
            postgres.dropDatabase("lex_names_restored");
        }
    }

    /**
     * A table's comment (a multi-line string) and a function's body each hold a line that looks exactly like a COPY
     * header: the manifest holds the real tables and rows, and verify of the backup passes.
     */
    @Test
    void copyLookingLinesInACommentAndAFunctionBodyLeaveTheManifestRight() throws Exception {
        postgres.createDatabase("lex_comments");
        postgres.psql("lex_comments", """
                CREATE TABLE public.t (a int);
                INSERT INTO public.t SELECT generate_series(1, 5);
                COMMENT ON TABLE public.t IS E'first line\\nCOPY public.fake (a) FROM stdin;\\n1\\n\\\\.\\nlast line';
                CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                RAISE NOTICE '%', '
                COPY public.fake (a) FROM stdin;
                ';
                END
                $$;
                CREATE TABLE public.after (b int);
                INSERT INTO public.after VALUES (1), (2);
                """);
        PgBackupProcess.Result backup = pgBackup("lex_comments", "comments/").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(manifestTables("comments/")).containsExactlyInAnyOrderEntriesOf(Map.of("public.t", 5L, "public.after", 2L));

        PgBackupProcess.Result verify = pgBackup("lex_comments", "comments/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        assertThat(verify.stderr()).contains("OK: 2 tables, 7 rows");
    }

    /**
     * The roles backup holds the comment of a role the target server has, a multi-line string whose lines read as
     * SQL that would make a SUPERUSER LOGIN role: restore --database @globals leaves that statement out whole and
     * runs none of it; the role the server lacks is created.
     */
    @Test
    void aRoleCommentHoldingSqlRunsNoneOfItInTheRolesRestore() throws Exception {
        postgres.createDatabase("lex_roles");
        postgres.psql("postgres", "CREATE ROLE lex_existing NOLOGIN; CREATE ROLE lex_lost NOLOGIN;"
                + " COMMENT ON ROLE lex_existing IS E'first line'';\\nCREATE ROLE lex_evil SUPERUSER LOGIN; --\\n--'");
        String comment = "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = 'lex_existing'";
        String before = postgres.psql("postgres", comment);
        PgBackupProcess.Result backup = pgBackup("lex_roles", "roles/").set("BACKUP_GLOBALS", "true").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        postgres.psql("postgres", "DROP ROLE lex_lost");

        PgBackupProcess.Result restore = pgBackup("lex_roles", "roles/").run("restore", "--database", "@globals");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.stdout()).contains("roles: 1 created");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'lex_evil'").strip())
                .as("the role the comment's lines would create").isEqualTo("0");
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = 'lex_lost'").strip()).isEqualTo("1");
        assertThat(postgres.psql("postgres", comment)).isEqualTo(before).contains("CREATE ROLE lex_evil");
    }

    /** A function whose body is one 120 MB line restores whole through bin/pg-backup and its -Xmx200m heap. */
    @Test
    void aOneLineFunctionBodyOf120MegabytesRestoresWhole() throws Exception {
        postgres.createDatabase("lex_big");
        postgres.psql("lex_big", "DO $do$ BEGIN EXECUTE format('CREATE FUNCTION public.big() RETURNS text LANGUAGE sql AS %L',"
                + " 'SELECT ''' || repeat('0123456789abcdef', 120 * 65536) || ''''); END $do$");
        PgBackupProcess.Result backup = pgBackup("lex_big", "big/").throughLauncher().run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        try {
            PgBackupProcess.Result restore = pgBackup("lex_big", "big/").throughLauncher()
                    .run("restore", "--target-db", "lex_big_restored");
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            String body = "SELECT length(prosrc) || ':' || md5(prosrc) FROM pg_proc WHERE proname = 'big'";
            assertThat(postgres.psql("lex_big_restored", body)).as(restore.toString()).isEqualTo(postgres.psql("lex_big", body))
                    .startsWith((120 * 1024 * 1024 + 9) + ":");
        } finally {
            postgres.dropDatabase("lex_big_restored");
        }
    }
}
