package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import io.pgbackup.storage.BackupKey;
import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values from the command line and the settings are data: nothing in them is evaluated as a Camel Simple expression
 * ({@code ${...}}) or a property placeholder ({@code {{...}}}). Real databases are named with both, on a PostgreSQL
 * server of their own; a token in the child's environment must never be shown.
 */
@Timeout(600)
class DataStaysDataIT {

    static final String BUCKET = "data-it";
    static final String PASSWORD = "data pw";
    static final String SIMPLE_NAME = "${env:HOME}";
    static final String PLACEHOLDER_NAME = "{{db.user}}";
    static final String TOKEN = "tok-" + UUID.randomUUID();

    static PostgresServer postgres;
    static S3Server s3;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onDedicatedPostgres(BUCKET, "data_user", PASSWORD);

    @BeforeAll
    static void start() throws Exception {
        List<String> names = List.of(SIMPLE_NAME, PLACEHOLDER_NAME);
        for (int i = 0; i < names.size(); i++) {
            postgres.createDatabase(names.get(i));
            postgres.psql(names.get(i), "CREATE TABLE t (id int, label text); INSERT INTO t SELECT g, "
                    + PostgresServer.quoteLiteral(names.get(i)) + " FROM generate_series(1, " + (i + 2) + ") g");
        }
    }

    PgBackupProcess pgBackup(String databases, String prefix) {
        return SERVERS.pgBackup(databases, prefix).set("SOME_TOKEN", TOKEN);
    }

    List<String> backedUp(String prefix) {
        return s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json"))
                .map(k -> BackupKey.parse(k, prefix).orElseThrow().database()).toList();
    }

    /**
     * A password is data too: one holding a placeholder, a Simple expression and a bean-reference prefix reaches
     * pg_dump as it is (beans.yaml's properties are otherwise resolved twice), and never shows in the output.
     */
    @Test
    void aPasswordHoldingPlaceholdersAndExpressionsLogsInAsItIs() throws Exception {
        String password = "#class:java.lang.Object {{db.user}} ${env:SOME_TOKEN} pw";
        postgres.createRole("odd_pw_user", password);
        postgres.psql(SIMPLE_NAME, "GRANT SELECT ON t TO odd_pw_user");
        PgBackupProcess.Result backup = pgBackup(SIMPLE_NAME, "oddpw/").set("DB_USER", "odd_pw_user")
                .set("DB_PASSWORD", password).run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backedUp("oddpw/")).containsExactly(SIMPLE_NAME);
        assertThat(backup.all()).doesNotContain("{{db.user}} ${env:SOME_TOKEN} pw").doesNotContain(TOKEN);
    }

    @Test
    void anExpressionInRestoreKeyOrDatabaseIsNeverEvaluated() throws Exception {
        PgBackupProcess.Result byKey = pgBackup("postgres", "none/").run("restore", "--key", "abc${env:SOME_TOKEN}",
                "--target-db", "never_made");
        PgBackupProcess.Result byDatabase = pgBackup("postgres", "none/").run("restore", "--database",
                "abc${env:SOME_TOKEN}", "--target-db", "never_made");

        assertThat(byKey.exitCode()).as(byKey.toString()).isNotZero();
        assertThat(byKey.all()).doesNotContain(TOKEN);
        assertThat(byDatabase.exitCode()).as(byDatabase.toString()).isNotZero();
        assertThat(byDatabase.all()).doesNotContain(TOKEN).contains("abc${env:SOME_TOKEN}");
    }

    @Test
    void databasesNamedLikeExpressionsAreBackedUpByStarAndByNameAndRestoredByDatabase() throws Exception {
        PgBackupProcess.Result star = pgBackup("*", "star/").run("backup");
        assertThat(star.exitCode()).as(star.toString()).isZero();
        assertThat(backedUp("star/")).contains(SIMPLE_NAME, PLACEHOLDER_NAME);

        for (String name : List.of(SIMPLE_NAME, PLACEHOLDER_NAME)) {
            String prefix = "one-" + (name.startsWith("$") ? "simple" : "placeholder") + "/";
            PgBackupProcess.Result one = pgBackup(name, prefix).run("backup");
            assertThat(one.exitCode()).as(one.toString()).isZero();
            assertThat(backedUp(prefix)).containsExactly(name);

            String target = "restored_" + (name.startsWith("$") ? "simple" : "placeholder");
            try {
                PgBackupProcess.Result restore = pgBackup("postgres", prefix).run("restore", "--database", name,
                        "--target-db", target);
                assertThat(restore.exitCode()).as(restore.toString()).isZero();
                assertThat(postgres.psql(target, "SELECT count(*) || ' ' || min(label) FROM t").strip())
                        .isEqualTo((name.startsWith("$") ? 2 : 3) + " " + name);
            } finally {
                postgres.dropDatabase(target);
            }
        }
    }

}
