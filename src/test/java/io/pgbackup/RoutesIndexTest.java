package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class RoutesIndexTest {

    @Test
    void theBuiltIndexNamesEveryRouteFileSoNoJarIsScannedForThem() throws Exception {
        Path folder = Path.of(System.getProperty("basedir", ".")).resolve("routes");
        try (Stream<Path> files = Files.list(folder)) {
            String[] yaml = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted()
                    .toArray(String[]::new);
            assertThat(RoutesIndex.names(RoutesIndex.class.getClassLoader().getResourceAsStream(RoutesIndex.RESOURCE)))
                    .as("routes/index.txt made at build time (mvn process-classes)").containsExactly(yaml);
            assertThat(RoutesIndex.classpathRoutes()).map(RouteSelection.RouteFile::location).containsExactly(
                    java.util.Arrays.stream(yaml).map(name -> "classpath:routes/" + name).toArray(String[]::new));
        }
        assertThat(RoutesIndex.classpathRoutes()).allSatisfy(file -> assertThat(file.text()).contains("- "));
    }

    @Test
    void onlyPlainYamlFileNamesAreTakenFromTheIndex() {
        String index = "backup.yaml\n../x.yaml\na,b.yaml\nnotes.txt\n  list.yaml  \n";
        assertThat(RoutesIndex.names(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8))))
                .containsExactly("backup.yaml", "list.yaml");
        assertThat(RoutesIndex.names(null)).isEmpty();
    }
}
