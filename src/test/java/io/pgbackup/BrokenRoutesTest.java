package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route file a user edited into invalid YAML is bad input like a bad setting: one line naming the file and the line,
 * exit 2, before anything runs (EditedRoutesIT shows the same through the launcher).
 */
@Timeout(120)
class BrokenRoutesTest {

    @TempDir
    Path routes;

    @Test
    void aRouteFileThatIsNotYamlExits2WithOneLineNamingTheFile() throws IOException {
        try (Stream<Path> files = Files.list(PgBackupPaths.ROUTES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Files.writeString(routes.resolve("list.yaml"), "- route:\n    id: [broken\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> settings = Map.of("db.password", "x-password", "db.name", "shop", "bucket.name",
                "broken-routes", "object.storage.endpoint", "http://127.0.0.1:9", "backup.schedule.enabled", "false");

        int code = PgBackup.run(new String[] {"list"}, Map.of("ROUTES_DIR", routes.toString()), settings,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(PgBackup.USAGE);
        assertThat(text.lines().filter(l -> !l.isBlank())).singleElement().asString()
                .startsWith("pg-backup: ").contains("list.yaml").contains("line 2");
    }

    /** The project's routes folder. */
    static final class PgBackupPaths {
        static final Path ROUTES = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("routes");
    }
}
