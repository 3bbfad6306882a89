package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RouteSelectionTest {

    private static final Path ROUTES = Path.of(System.getProperty("basedir", ".")).resolve("routes");

    private static List<String> names(List<String> locations) {
        return locations.stream().map(location -> location.substring(location.lastIndexOf('/') + 1)).toList();
    }

    /** As in a one-shot command: the schedules' preconditions are off. */
    private static boolean schedulesOff(String precondition) {
        return precondition.contains("schedule.enabled") || precondition.contains("check.enabled")
                || precondition.contains("observe.enabled");
    }

    private static List<String> chosen(String entry) {
        return names(RouteSelection.needed(RoutesIndex.folderRoutes(ROUTES), Set.of(entry), RouteSelectionTest::schedulesOff)
                .locations());
    }

    @Test
    void listLoadsItsRoutesTheFailureRoutesAndTheNotifiersButNotTheBackupRestoreOrSecretManager() {
        assertThat(chosen("direct:list"))
                .contains("beans.yaml", "list.yaml", "failures.yaml", "notify.yaml", "notify-slack.yaml",
                        "notify-email.yaml")
                .doesNotContain("backup.yaml", "dump.yaml", "upload.yaml", "restore.yaml", "restore-archive.yaml",
                        "secret-manager.yaml", "verify.yaml");
    }

    @Test
    void backupReachesEveryStageOfThePipelineAndRestoreEveryRouteOfTheRestore() {
        assertThat(chosen("direct:backup")).contains("backup.yaml", "databases.yaml", "secret-manager.yaml",
                "pre-dump-checks.yaml", "dump.yaml", "compress.yaml", "encrypt.yaml", "upload.yaml",
                "verify-stored.yaml", "manifest.yaml", "report.yaml", "retention.yaml", "list.yaml")
                .doesNotContain("health.yaml", "managed-backup-check.yaml");
        assertThat(chosen("direct:restore")).contains("restore.yaml", "restore-archive.yaml", "psql.yaml",
                "secret-manager.yaml", "list.yaml")
                .doesNotContain("dump.yaml", "upload.yaml");
        assertThat(chosen("direct:verify")).contains("verify.yaml", "restore.yaml", "restore-archive.yaml",
                "databases.yaml");
    }

    @Test
    void filesThatAreNotPlainDirectRoutesAreAlwaysLoadedAndWhatTheySendToWhenTheirPreconditionIsOn() {
        // beans and route configurations are loaded whatever the command; schedules whose precondition is off are not
        assertThat(chosen("direct:nothing-sends-here")).contains("beans.yaml", "failures.yaml", "notify-email.yaml",
                "notify-slack.yaml", "notify.yaml").doesNotContain("backup.yaml", "verify.yaml", "health.yaml",
                "managed-backup-check.yaml", "list.yaml", "restore.yaml", "dump.yaml");
        // the service: the schedules are on, and what they send to is loaded
        assertThat(names(RouteSelection.needed(RoutesIndex.folderRoutes(ROUTES), Set.of(), condition -> false).locations()))
                .contains("dump.yaml", "upload.yaml", "list.yaml", "restore.yaml");
    }

    @Test
    void aRouteAUserAddsIsLoadedWhenAnythingLoadedSendsToIt() {
        List<RouteSelection.RouteFile> files = new ArrayList<>(RoutesIndex.folderRoutes(ROUTES));
        // the user's notify.yaml sends to their own Teams route instead of email
        files.replaceAll(file -> file.location().endsWith("/notify.yaml")
                ? new RouteSelection.RouteFile(file.location(), file.text().replace("to: direct:notify-email",
                        "to: direct:teams-extra"))
                : file);
        files.add(new RouteSelection.RouteFile("file:/x/notify-teams.yaml",
                "# a user's notifier\n- route:\n    id: teams\n    from:\n      uri: \"direct:teams-extra\"\n      steps:\n        - log: hi\n"));
        files.add(new RouteSelection.RouteFile("file:/x/unused.yaml",
                "- route:\n    from:\n      uri: direct:nobody-calls-this\n      steps:\n        - log: hi\n"));
        List<String> chosen = names(RouteSelection.needed(files, Set.of("direct:list"), RouteSelectionTest::schedulesOff)
                .locations());
        assertThat(chosen).contains("notify-teams.yaml").doesNotContain("unused.yaml");
    }

    @Test
    void aComputedEndpointOrAnUnreadableShapeLoadsEverything() {
        List<RouteSelection.RouteFile> files = List.of(
                new RouteSelection.RouteFile("a", "- route:\n    from:\n      uri: direct:a\n      steps:\n        - toD: \"direct:${header.next}\"\n"),
                new RouteSelection.RouteFile("b", "- route:\n    from:\n      uri: direct:b\n      steps:\n        - log: b\n"));
        assertThat(RouteSelection.needed(files, Set.of("direct:zzz"), condition -> false).locations())
                .containsExactly("a", "b");
        List<RouteSelection.RouteFile> flow = List.of(
                new RouteSelection.RouteFile("a", "- route:\n    from: { uri: \"direct:a\" }\n"),
                new RouteSelection.RouteFile("b", "- route:\n    from:\n      uri: direct:b\n      steps:\n        - log: b\n"));
        assertThat(RouteSelection.needed(flow, Set.of("direct:zzz"), condition -> false).locations())
                .containsExactly("a");
    }
}
