package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing read from a backup becomes SQL text or psql input, and psql never runs without restricted mode: a manifest
 * edited by someone who can write the bucket (a table name holding a line break and {@code \!}) runs nothing in
 * {@code verify} nor in {@code restore --jobs 2}; every psql input pg-backup writes starts with {@code \restrict}; a
 * psql without restricted mode is refused at start; a failed COPY's alert carries the ERROR line, not the row. Real
 * PostgreSQL 15, S3Proxy and the packaged jar.
 */
@Timeout(600)
class BackupTextStaysDataIT {

    static final String BUCKET = "backup-text";
    static final String DATABASE = "text_shop";
    static final String SECRET_VALUE = "IBAN-DE44-5001-0517-5407";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "text_user", "backup text pw")
            .withWorkDir("pgbackup-text-")
            .withDatabase(DATABASE, """
                    CREATE SCHEMA sales;
                    CREATE TABLE sales.orders (id int PRIMARY KEY, note text);
                    INSERT INTO sales.orders SELECT g, 'order ' || g FROM generate_series(1, 300) g;
                    CREATE TABLE public.notes (id int);
                    INSERT INTO public.notes SELECT generate_series(1, 5);
                    """);

    static PostgresServer postgres;
    static S3Server s3;
    static String key;
    static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        PgBackupProcess.Result backup = pgBackup().set("BACKUP_FORMAT", "custom").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        key = s3.keys(BUCKET).stream().filter(k -> k.contains(DATABASE) && !k.endsWith(".manifest.json"))
                .findFirst().orElseThrow();
    }

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        assertThat(postgres.databasesLike("pgbackup_restore_%")).as("temporary databases left").isEmpty();
        assertThat(postgres.databasesLike("pgbackup_verify_%")).as("temporary databases left").isEmpty();
    }

    static PgBackupProcess pgBackup() {
        return SERVERS.pgBackup(DATABASE, "").timeoutSeconds(240).set("BACKUP_WORK_DIR", workDir.toString())
                .set("PG_RESTORE_PATH", PostgresServer.BIN.resolve("pg_restore").toString());
    }

    /**
     * The backup stored again under a later key of the same day ({@code time}, HHmmss), its manifest edited as a
     * bucket writer could: the table sales.orders renamed to a name holding a line break and a psql shell command.
     */
    /** A copy of the backup dated {@code secondsLater} after it (never in the future: that would never count). */
    static String editedCopy(int secondsLater, Path marker) {
        io.pgbackup.storage.BackupKey original = io.pgbackup.storage.BackupKey.parse(key, "").orElseThrow();
        String copy = io.pgbackup.storage.BackupKey.format("", original.database(), original.time().plusSeconds(secondsLater),
                "custom", "gz");
        String manifest = new String(s3.get(BUCKET, key + ".manifest.json"), StandardCharsets.UTF_8);
        // in JSON: "sales.orders<line break>\! touch MARKER #"
        String edited = manifest.replace(key, copy).replace("\"sales.orders\"",
                "\"sales.orders\\n\\\\! touch " + marker + " #\"");
        assertThat(edited).as("the manifest names sales.orders").isNotEqualTo(manifest.replace(key, copy));
        s3.put(BUCKET, copy, s3.get(BUCKET, key));
        s3.put(BUCKET, copy + ".manifest.json", edited.getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    static Path marker() {
        return Path.of("/tmp/pgbackup-it-" + UUID.randomUUID());
    }

    @Test
    void aManifestTableNameWithALineBreakAndShellCommandRunsNothingInVerify() throws Exception {
        Path marker = marker();
        String copy = editedCopy(2, marker);

        PgBackupProcess.Result verify = pgBackup().run("verify");

        assertThat(marker).as("the shell command in the manifest's table name ran").doesNotExist();
        assertThat(verify.all()).contains(copy);
        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        assertThat(verify.stderr()).contains("is missing (no such table)").contains("sales.orders")
                .contains("touch " + marker);
    }

    @Test
    void aManifestTableNameWithALineBreakAndShellCommandRunsNothingInRestoreJobs() throws Exception {
        Path marker = marker();
        String copy = editedCopy(1, marker);

        PgBackupProcess.Result restore = pgBackup().run("restore", "--key", copy, "--target-db", "text_jobs",
                "--jobs", "2");

        assertThat(marker).as("the shell command in the manifest's table name ran").doesNotExist();
        assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
        assertThat(restore.stderr()).contains("is missing (no such table)").contains("touch " + marker);
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'text_jobs'").strip())
                .isEqualTo("0");
    }

    /** A psql that writes the first line of each input it gets to a log, then is the real psql. */
    static Path loggingPsql(String version) throws Exception {
        Path dir = Files.createTempDirectory(workDir, "psql-");
        Path log = dir.resolve("inputs.log");
        Path script = dir.resolve("psql");
        Files.writeString(script, "#!/bin/sh\n"
                + "if [ \"$1\" = --version ]; then echo 'psql (PostgreSQL) " + version + "'; exit 0; fi\n"
                + "IFS= read -r first\n"
                + "printf '%s\\n' \"$first\" >> '" + log + "'\n"
                + "{ printf '%s\\n' \"$first\"; cat; } | " + PostgresServer.BIN.resolve("psql") + " \"$@\"\n");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void everyPsqlInputStartsWithARestrictLine() throws Exception {
        Path psql = loggingPsql("15.18");

        PgBackupProcess.Result restore = pgBackup().set("PSQL_PATH", psql.toString())
                .run("restore", "--key", key, "--target-db", "text_restricted", "--jobs", "2");

        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            List<String> inputs = Files.readAllLines(psql.resolveSibling("inputs.log"));
            assertThat(inputs).as("target check, CREATE DATABASE, row counts, rename").hasSizeGreaterThanOrEqualTo(4)
                    .allSatisfy(line -> assertThat(line).matches("\\\\restrict [A-Za-z0-9]{40}"));
            assertThat(inputs).doesNotHaveDuplicates();
        } finally {
            postgres.dropDatabase("text_restricted");
        }
    }

    @Test
    void aPsqlWithoutRestrictedModeIsRefusedAtStartUnlessAllowed() throws Exception {
        Path psql = loggingPsql("15.13");

        PgBackupProcess.Result verify = pgBackup().set("PSQL_PATH", psql.toString()).run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(2);
        assertThat(verify.stderr()).contains("PSQL_PATH").contains("13.22, 14.19, 15.14, 16.10, 17.6")
                .contains("PSQL_ALLOW_UNRESTRICTED=true");
        assertThat(psql.resolveSibling("inputs.log")).as("psql got no input").doesNotExist();

        PgBackupProcess.Result restore = pgBackup().set("PSQL_PATH", psql.toString())
                .set("PSQL_ALLOW_UNRESTRICTED", "true").run("restore", "--key", key, "--target-db", "text_old_psql");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.all()).contains("cannot refuse backslash commands");
        } finally {
            postgres.dropDatabase("text_old_psql");
        }
    }

    /**
     * A restore whose COPY fails on a row (a CHECK constraint's function looks up a table loaded after it): the log line
     * and the notification carry psql's ERROR line, not the row's value that its DETAIL and CONTEXT lines quote.
     */
    @Test
    void aFailedCopysAlertCarriesTheErrorLineNotTheRow() throws Exception {
        String database = "text_copyfail";
        postgres.createDatabase(database);
        postgres.psql(database, """
                CREATE TABLE public.zz_allowed (v text);
                INSERT INTO public.zz_allowed VALUES ('%1$s');
                CREATE FUNCTION public.allowed(x text) RETURNS boolean LANGUAGE sql STABLE
                    AS $$ SELECT EXISTS (SELECT 1 FROM public.zz_allowed WHERE v = x) $$;
                CREATE TABLE public.accounts (iban text CHECK (public.allowed(iban)));
                INSERT INTO public.accounts VALUES ('%1$s');
                """.formatted(SECRET_VALUE));
        try (WebhookStandIn slack = new WebhookStandIn()) {
            PgBackupProcess.Result backup = pgBackup().set("DB_NAME", database).run("backup");
            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            String plain = s3.keys(BUCKET).stream().filter(k -> k.contains(database) && !k.endsWith(".manifest.json"))
                    .findFirst().orElseThrow();

            PgBackupProcess.Result restore = pgBackup().set("DB_NAME", database).set("SLACK_WEBHOOK_URL", slack.url())
                    .run("restore", "--key", plain, "--target-db", "text_copyfail_restored");

            assertThat(restore.exitCode()).as(restore.toString()).isEqualTo(1);
            assertThat(restore.stderr()).contains("ERROR:  new row for relation \"accounts\" violates check constraint");
            assertThat(restore.all()).doesNotContain(SECRET_VALUE);
            assertThat(slack.texts()).anySatisfy(text -> assertThat(text).contains("violates check constraint"))
                    .noneSatisfy(text -> assertThat(text).contains(SECRET_VALUE));
        } finally {
            postgres.dropDatabase(database);
        }
    }
}
