package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.pgbackup.cli.CommandLine;

import org.junit.jupiter.api.Test;

/**
 * The command line's checks, in this process through {@link PgBackup#run(String[], Map, Map, PrintStream, PrintStream)}
 * (what main does, without ending the JVM): a wrong command line exits 2 with its message, before Camel starts.
 */
class CommandLineChecksTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PgBackup.run(args, Map.of(), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownOptionExits2WithItsLineThenTheUsage() {
        assertThat(run("list", "--bogus", "1")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).isEqualTo("pg-backup: unknown option --bogus" + System.lineSeparator() + CommandLine.USAGE
                + System.lineSeparator());
        assertThat(out.size()).isZero();
    }

    @Test
    void anOptionWithoutItsValueExits2() {
        assertThat(run("restore", "--target-db")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).startsWith("pg-backup: option --target-db needs a value" + System.lineSeparator() + "usage:");
    }

    @Test
    void restoreKeyWithBeforeExits2WithOneLine() {
        assertThat(run("restore", "--key", "a/db_20261128020000.sql.gz", "--before", "2026-11-28 02:00"))
                .isEqualTo(PgBackup.USAGE);

        assertThat(err()).isEqualTo("pg-backup: give --key KEY or --before TIME, not both" + System.lineSeparator());
    }

    @Test
    void restoreBeforeThatIsNoTimeExits2WithOneLine() {
        assertThat(run("restore", "--before", "yesterday")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).isEqualTo("pg-backup: --before: 'yesterday' is not a time like \"2026-11-28 02:00\" or"
                + " \"2026-11-28 02:00:30\"" + System.lineSeparator());
    }

    @Test
    void restoreJobsOutOfRangeExits2WithOneLine() {
        assertThat(run("restore", "--jobs", "65")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).isEqualTo("pg-backup: --jobs: '65' is not a number of processes from 1 to 64"
                + System.lineSeparator());
    }

    @Test
    void restoreCleanWithoutIntoExistingExits2WithOneLine() {
        assertThat(run("restore", "--clean")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).isEqualTo("pg-backup: --clean replaces tables in an existing database: it goes with"
                + " --into-existing" + System.lineSeparator());
    }

    @Test
    void aMissingConfigFileExits2WithOneLine() {
        assertThat(run("list", "--config", "no-such-settings.properties")).isEqualTo(PgBackup.USAGE);

        assertThat(err()).startsWith("pg-backup: PG_BACKUP_CONFIG / --config: no such file ")
                .endsWith("no-such-settings.properties" + System.lineSeparator())
                .hasLineCount(1);
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        assertThat(run("help")).isEqualTo(PgBackup.OK);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(CommandLine.USAGE + System.lineSeparator());
        assertThat(err.size()).isZero();
    }
}
