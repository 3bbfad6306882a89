package io.pgbackup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import io.pgbackup.cli.CommandLine;

import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes a command makes: the route files (ROUTES_DIR / --routes, else ./routes, else the jar's, by name: a
 * pattern would scan the whole jar), and of those only what the command can reach from where it enters
 * ({@link RouteSelection}); the service, and the training run of the start-up cache, make every route.
 */
final class CommandRoutes {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    /** Where each one-shot command enters the routes. */
    private static final Map<String, String> ENTRIES = Map.of("backup", "direct:backup-with-heartbeat",
            "list", "direct:list",
            "verify", "direct:verify",
            "check-managed", "direct:managed-backup-check",
            "restore", "direct:restore",
            "prune", "direct:prune");

    private final List<RouteSelection.RouteFile> files;
    /** The pattern Camel is given when the files cannot be named one by one. */
    private final String wildcard;
    /** The command's entry, or null: every route. */
    private final String entry;
    private final String command;

    private CommandRoutes(List<RouteSelection.RouteFile> files, String wildcard, String command, boolean everyRoute) {
        this.files = files;
        this.wildcard = wildcard;
        this.command = command;
        this.entry = everyRoute ? null : ENTRIES.get(command);
    }

    /** The entry of a one-shot command ({@code direct:list} for {@code list}). */
    static String entry(String command) {
        String entry = ENTRIES.get(command);
        if (entry == null) {
            throw new IllegalArgumentException("no entry for command " + command);
        }
        return entry;
    }

    /** Reads the route files the command line and ROUTES_DIR point to; a missing folder named is a usage error. */
    static CommandRoutes read(CommandLine command, Map<String, String> env, boolean everyRoute) {
        String given = command.option("routes", env.getOrDefault("ROUTES_DIR", ""));
        Path dir = Path.of(given.isBlank() ? "routes" : given);
        if (Files.isDirectory(dir)) {
            LOG.debug("routes from {}", dir.toAbsolutePath());
            return new CommandRoutes(RoutesIndex.folderRoutes(dir), "file:" + dir.toAbsolutePath() + "/*.yaml",
                    command.name(), everyRoute);
        }
        if (!given.isBlank()) {
            throw new IllegalArgumentException("ROUTES_DIR / --routes: no such folder " + dir.toAbsolutePath());
        }
        return new CommandRoutes(RoutesIndex.classpathRoutes(), "classpath:routes/*.yaml", command.name(), everyRoute);
    }

    /**
     * Camel loads the route files the command can reach and makes only the routes it can reach; {@code off} tells
     * whether a route's precondition (as written) is off with the settings loaded.
     */
    void configure(MainConfigurationProperties camel, Predicate<String> off) {
        if (files.isEmpty() || files.stream().anyMatch(file -> file.location().contains(","))) {
            // no index (classes without the build's routes/index.txt), or a folder name Camel would split
            camel.withRoutesIncludePattern(wildcard);
            return;
        }
        RouteSelection.Choice choice = entry == null
                ? new RouteSelection.Choice(files.stream().map(RouteSelection.RouteFile::location).toList(), List.of())
                : RouteSelection.needed(files, Set.of(entry), off);
        LOG.debug("{}: {} of {} route files, {} of their routes left out: {}", command, choice.locations().size(),
                files.size(), choice.leftOut().size(), choice.locations());
        camel.withRoutesIncludePattern(String.join(",", choice.locations()));
        camel.withRouteFilterExcludePattern(choice.leftOut().isEmpty() ? null : String.join(",", choice.leftOut()));
    }

    /** Whether a route's precondition, as written, is plainly off with these settings (the schedules' on one-shot). */
    static boolean isOff(CamelContext context, String precondition) {
        try {
            String text = precondition.strip().replaceAll("^[\"']|[\"']$", "");
            return context.resolvePropertyPlaceholders(text).strip().equalsIgnoreCase("false");
        } catch (RuntimeException e) {
            return false;
        }
    }
}
