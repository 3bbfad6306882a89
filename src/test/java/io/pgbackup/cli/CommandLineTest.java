package io.pgbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void pruneTakesDryRunAsAFlagWithoutAValue() {
        CommandLine dry = CommandLine.parse(new String[] {"prune", "--dry-run", "--config", "x.properties", "--database", "@globals"});

        assertThat(dry.name()).isEqualTo("prune");
        assertThat(dry.has("dry-run")).isTrue();
        assertThat(dry.option("config", "")).isEqualTo("x.properties");
        assertThat(dry.option("database", "")).isEqualTo("@globals");
        assertThat(CommandLine.parse(new String[] {"prune"}).has("dry-run")).isFalse();
    }

    @Test
    void dryRunBelongsToPruneOnly() {
        // "backup --dry-run" must not quietly run a real backup
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"backup", "--dry-run"}))
                .hasMessage("option --dry-run is for the prune command only");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"--dry-run"}))
                .hasMessage("option --dry-run is for the prune command only");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"prune", "--dry-run=no"}))
                .hasMessage("option --dry-run takes no value");
    }

    @Test
    void optionsWithValuesAreUnchanged() {
        CommandLine restore = CommandLine.parse(new String[] {"restore", "--target-db", "t", "--key=a/b.sql.gz"});

        assertThat(restore.option("target-db", "")).isEqualTo("t");
        assertThat(restore.option("key", "")).isEqualTo("a/b.sql.gz");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"restore", "--target-db"}))
                .hasMessage("option --target-db needs a value");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"list", "--bogus", "1"}))
                .hasMessage("unknown option --bogus");
    }

    @Test
    void tableAndSchemaRepeatInOrderAndBelongToRestore() {
        CommandLine restore = CommandLine.parse(new String[] {"restore", "--table", "sales.\"a\nb\"", "--table=public.t",
            "--schema", "한글 스키마", "--into-existing", "--clean", "--jobs", "2"});

        assertThat(restore.values("table")).containsExactly("sales.\"a\nb\"", "public.t");
        assertThat(restore.values("schema")).containsExactly("한글 스키마");
        assertThat(restore.values("key")).isEmpty();
        assertThat(restore.has("into-existing")).isTrue();
        assertThat(restore.option("jobs", "")).isEqualTo("2");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"backup", "--table", "t"}))
                .hasMessage("option --table is for the restore command only");
        assertThatThrownBy(() -> CommandLine.parse(new String[] {"verify", "--clean"}))
                .hasMessage("option --clean is for the restore command only");
    }
}
