package io.pgbackup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The jar's own routes, by name. With no {@code ./routes} folder (a jar installed alone, a cron job or a systemd unit
 * working in another folder) the routes come from the jar, and a pattern such as {@code classpath:routes/*.yaml} makes
 * Camel read the whole 56 MB fat jar to find them (twice, about 2 s a command). {@code mvn package} writes the names
 * of the route files into {@value #RESOURCE} ({@link #main}, run at build time), and the start loads exactly those by
 * name: no jar is scanned.
 */
public final class RoutesIndex {

    /** The index in the jar: one route file name a line. */
    public static final String RESOURCE = "routes/index.txt";

    private RoutesIndex() {
    }

    /**
     * The jar's routes, each as a named resource ({@code classpath:routes/a.yaml}) with its text; empty when the index
     * is missing (classes run from a build without it: the caller falls back to the wildcard pattern).
     */
    static List<RouteSelection.RouteFile> classpathRoutes() {
        ClassLoader loader = RoutesIndex.class.getClassLoader();
        List<RouteSelection.RouteFile> files = new ArrayList<>();
        for (String name : names(loader.getResourceAsStream(RESOURCE))) {
            try (InputStream in = loader.getResourceAsStream("routes/" + name)) {
                if (in == null) {
                    return List.of();
                }
                files.add(new RouteSelection.RouteFile("classpath:routes/" + name,
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                return List.of();
            }
        }
        return files;
    }

    /** The route files of a folder ({@code *.yaml}, by name), each as {@code file:} location with its text. */
    static List<RouteSelection.RouteFile> folderRoutes(Path dir) {
        List<RouteSelection.RouteFile> files = new ArrayList<>();
        try (Stream<Path> listed = Files.list(dir)) {
            for (Path file : listed.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f))
                    .sorted().toList()) {
                files.add(new RouteSelection.RouteFile("file:" + file.toAbsolutePath(),
                        Files.readString(file, StandardCharsets.UTF_8)));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
        return files;
    }

    static List<String> names(InputStream index) {
        if (index == null) {
            return List.of();
        }
        try (InputStream in = index) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> line.endsWith(".yaml") && !line.contains("/") && !line.contains(","))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Build time: writes {@value #RESOURCE} under the classes folder {@code args[0]} from its routes folder. */
    public static void main(String[] args) throws IOException {
        Path routes = Path.of(args[0]).resolve("routes");
        List<String> names;
        try (Stream<Path> files = Files.list(routes)) {
            names = files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".yaml")).sorted()
                    .toList();
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no route files in " + routes);
        }
        Files.writeString(routes.resolve("index.txt"), String.join("\n", names) + "\n", StandardCharsets.UTF_8);
    }
}
