package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.main.MainConfigurationProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pgbackup.cli.CommandLine;

class CommandRoutesTest {

    @TempDir
    Path dir;

    private MainConfigurationProperties configured(String... args) {
        MainConfigurationProperties camel = new MainConfigurationProperties();
        CommandRoutes.read(CommandLine.parse(args), Map.of(), false).configure(camel, precondition -> true);
        return camel;
    }

    @Test
    void aOneShotCommandGetsTheFilesItReachesAndLeavesTheOtherRoutesOutById() throws Exception {
        Files.writeString(dir.resolve("list.yaml"), "- route:\n    id: list\n    from:\n      uri: direct:list\n"
                + "      steps:\n        - to: direct:shared\n");
        Files.writeString(dir.resolve("shared.yaml"), "- route:\n    id: shared\n    from:\n      uri: direct:shared\n"
                + "      steps:\n        - log: x\n- route:\n    id: unused-here\n    from:\n      uri: direct:other\n"
                + "      steps:\n        - log: y\n");
        Files.writeString(dir.resolve("restore.yaml"), "- route:\n    id: restore\n    from:\n      uri: direct:restore\n"
                + "      steps:\n        - log: z\n");

        MainConfigurationProperties camel = configured("list", "--routes", dir.toString());

        assertThat(camel.getRoutesIncludePattern()).isEqualTo("file:" + dir.toAbsolutePath().resolve("list.yaml")
                + ",file:" + dir.toAbsolutePath().resolve("shared.yaml"));
        assertThat(camel.getRouteFilterExcludePattern()).isEqualTo("unused-here");
    }

    @Test
    void aFolderWithoutRouteFilesIsGivenAsItsPatternNeverTheJarsRoutes() {
        MainConfigurationProperties camel = configured("list", "--routes", dir.toString());

        assertThat(camel.getRoutesIncludePattern()).isEqualTo("file:" + dir.toAbsolutePath() + "/*.yaml");
    }

    @Test
    void theServiceGetsEveryFileAndAMissingFolderIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "- route:\n    from:\n      uri: direct:a\n      steps:\n        - log: a\n");

        assertThat(configured("service", "--routes", dir.toString()).getRoutesIncludePattern())
                .isEqualTo("file:" + dir.toAbsolutePath().resolve("a.yaml"));
        assertThatThrownBy(() -> configured("list", "--routes", dir.resolve("nope").toString()))
                .hasMessageContaining("ROUTES_DIR / --routes: no such folder");
    }
}
