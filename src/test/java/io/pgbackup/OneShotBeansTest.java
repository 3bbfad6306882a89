package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.pgbackup.support.InProcessPgBackup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-shot command makes the beans of the route files on their first lookup only ({@link LazyYamlBeans}, bound by
 * {@link OneShotStart}): {@code list} run in-process with a ROUTES_DIR holding the jar's routes plus a file of two
 * counting beans, one of which the list route (edited as a user would) names. The bean nobody looks up is never made;
 * the one the route names is made, once, when the route reaches it.
 */
@Timeout(120)
class OneShotBeansTest {

    /** A bean that counts how often it was made, by its name. */
    public static final class Probe {
        static final Map<String, AtomicInteger> MADE = new ConcurrentHashMap<>();
        static final Map<String, AtomicInteger> USED = new ConcurrentHashMap<>();
        private String name;

        public void setName(String name) {
            this.name = name;
            MADE.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        }

        public void touch() {
            USED.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        }

        static int made(String name) {
            return MADE.getOrDefault(name, new AtomicInteger()).get();
        }

        static int used(String name) {
            return USED.getOrDefault(name, new AtomicInteger()).get();
        }
    }

    @TempDir
    Path routes;

    /** The jar's routes, list.yaml's route sending to a probe route first, and a file of beans {@code unused} and {@code used}. */
    private InProcessPgBackup.Result listWithProbes(String unused, String used) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path list = routes.resolve("list.yaml");
        String listText = Files.readString(list);
        String first = "      uri: direct:list\n      steps:\n";
        assertThat(listText).contains(first);
        Files.writeString(list, listText.replace(first, first + "        - to: direct:list-probe\n"));
        Files.writeString(routes.resolve("probes.yaml"), "- beans:\n"
                + probe(unused) + probe(used)
                + "- route:\n    id: list-probe\n    from:\n      uri: direct:list-probe\n      steps:\n"
                + "        - bean:\n            ref: " + used + "\n            method: touch\n");
        try (InProcessPgBackup app = new InProcessPgBackup()) {
            return app.env("ROUTES_DIR", routes.toString()).run("list");
        }
    }

    private static String probe(String name) {
        return "    - name: " + name + "\n      type: " + Probe.class.getName() + "\n      properties:\n        name: " + name + "\n";
    }

    @Test
    void aOneShotListNeverMakesABeanOfTheRouteFilesThatNothingLooksUp() throws Exception {
        InProcessPgBackup.Result result = listWithProbes("unusedProbeA", "usedProbeA");

        assertThat(Probe.used("usedProbeA")).as("the list route ran up to the probe\n%s", result).isEqualTo(1);
        assertThat(Probe.made("unusedProbeA")).as(result.toString()).isZero();
    }

    @Test
    void aBeanThatAUsersRouteInRoutesDirNamesIsMadeOnceWhenTheRouteLooksItUp() throws Exception {
        InProcessPgBackup.Result result = listWithProbes("unusedProbeB", "usedProbeB");

        assertThat(Probe.made("usedProbeB")).as(result.toString()).isEqualTo(1);
        assertThat(Probe.used("usedProbeB")).as(result.toString()).isEqualTo(1);
    }
}
