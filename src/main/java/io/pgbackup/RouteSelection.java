package io.pgbackup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The route files a one-shot command needs: the files whose routes it can reach from its entry ({@code direct:list}
 * for {@code list}), so that {@code list} does not make the backup's, restore's and Secret Manager's routes and their
 * endpoints (an HTTP client with its TLS trust store, a process runner, ...) only to stop them again.
 *
 * <p>Read from the files' text, before Camel parses them, and on the safe side. A file is left out only when every
 * item in it is a {@code - route:} consuming from {@code direct:} or {@code seda:} and none of those endpoints can be
 * reached. Anything else (beans, route configurations, error handlers, a route from a timer, Quartz or HTTP) is
 * always loaded, and what it sends to is reached from it, unless it is a route whose {@code precondition} is off for
 * this command (the schedules in a one-shot command: never made, so never loaded for). Within the files loaded, the
 * routes that cannot be reached are left out by id (Camel's route filter), so they are not made either. A reference is any {@code direct:NAME} / {@code seda:NAME} in
 * an item's text outside comments; a reference whose name is computed ({@code direct:{{...}}},
 * {@code direct:${...}}) makes every file needed. So a route a user adds to {@code routes/} is loaded whenever
 * something loaded can send to it.
 */
final class RouteSelection {

    /** A route file: where Camel loads it from, and its text. */
    record RouteFile(String location, String text) {
    }

    /** What to load: the files, in their order, and the ids of the routes in them the command cannot reach. */
    record Choice(List<String> locations, List<String> leftOut) {
    }

    private static final Pattern ENDPOINT = Pattern.compile("\\b(?:direct|seda):([A-Za-z0-9_.\\-]+)");
    private static final Pattern COMPUTED = Pattern.compile("\\b(?:direct|seda):(?:\\{\\{|\\$\\{|\\$simple\\{)");
    private static final Pattern TOP_LEVEL_ITEM = Pattern.compile("^- *([A-Za-z][A-Za-z0-9-]*) *:");
    private static final Pattern FROM_URI = Pattern.compile("^\\s+(?:-\\s+)?uri:\\s*[\"']?([^\"'\\s#]+)");
    private static final Pattern ROUTE_ID = Pattern.compile("^\\s+id:\\s*[\"']?([A-Za-z0-9_.\\-]+)[\"']?\\s*$");
    private static final Pattern PRECONDITION = Pattern.compile("^\\s+precondition:\\s*(.*)$");

    private RouteSelection() {
    }

    /** Whether a line can hold a {@code direct:} or {@code seda:} endpoint (before its patterns are tried). */
    private static boolean namesEndpoint(String line) {
        return line.contains("direct:") || line.contains("seda:");
    }

    /**
     * The files with a route reachable from {@code entries} (endpoint URIs such as {@code direct:list}), and the routes
     * in them that are not. {@code off} tells whether a route's precondition (as written) is off for this command.
     */
    static Choice needed(List<RouteFile> files, Set<String> entries, Predicate<String> off) {
        List<Item> items = new ArrayList<>();
        for (RouteFile file : files) {
            List<Item> read = Item.read(file);
            if (read == null) {
                return new Choice(files.stream().map(RouteFile::location).toList(), List.of());
            }
            items.addAll(read);
        }
        Set<String> reachable = new HashSet<>();
        entries.forEach(entry -> {
            Matcher name = ENDPOINT.matcher(entry);
            if (name.find()) {
                reachable.add(name.group(1));
            }
        });
        Set<String> locations = new HashSet<>();
        Set<Item> taken = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Item item : items) {
                if (taken.contains(item)) {
                    continue;
                }
                boolean reached = item.consumes != null && reachable.contains(item.consumes);
                boolean root = item.consumes == null && (item.precondition == null || !off.test(item.precondition));
                if (reached || root) {
                    taken.add(item);
                    locations.add(item.location);
                    reachable.addAll(item.references);
                    grew = true;
                }
            }
        }
        List<String> leftOut = items.stream().filter(item -> item.route && item.id != null && !taken.contains(item)
                && locations.contains(item.location)).map(Item::id).toList();
        return new Choice(files.stream().map(RouteFile::location).filter(locations::contains).toList(), leftOut);
    }

    /**
     * One top-level item of a file as far as the choice needs it: the endpoint it consumes when it is a route from
     * {@code direct:}/{@code seda:} (else null: always loaded), its precondition as written, what it sends to.
     */
    private record Item(String location, boolean route, String id, String consumes, String precondition,
            Set<String> references) {

        /** The file's items, or null when the file sends to a computed endpoint (then every file is needed). */
        static List<Item> read(RouteFile file) {
            List<Item> items = new ArrayList<>();
            List<String> current = new ArrayList<>();
            boolean route = false;
            for (String line : file.text().lines().filter(l -> !l.stripLeading().startsWith("#")).toList()) {
                if (namesEndpoint(line) && COMPUTED.matcher(line).find()) {
                    return null;
                }
                Matcher top = TOP_LEVEL_ITEM.matcher(line);
                boolean item = line.startsWith("-") && top.find();
                if (item || !line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                    if (current.stream().anyMatch(l -> !l.isBlank())) {
                        items.add(of(file.location(), route, current));
                    }
                    current = new ArrayList<>();
                    // anything at the top level that is not "- route:" is always kept (route = false)
                    route = item && top.group(1).equals("route");
                }
                current.add(line);
            }
            if (current.stream().anyMatch(l -> !l.isBlank())) {
                items.add(of(file.location(), route, current));
            }
            if (items.isEmpty()) {
                items.add(new Item(file.location(), false, null, null, null, Set.of()));
            }
            return items;
        }

        private static Item of(String location, boolean route, List<String> lines) {
            Set<String> references = new HashSet<>();
            String consumes = null;
            String precondition = null;
            String id = null;
            boolean awaitingFrom = false;
            boolean fromFound = false;
            for (String line : lines) {
                // each pattern tried only on a line with its word: most lines have none (a start-up cost)
                if (namesEndpoint(line)) {
                    Matcher endpoint = ENDPOINT.matcher(line);
                    while (endpoint.find()) {
                        references.add(endpoint.group(1));
                    }
                }
                if (precondition == null && line.contains("precondition:")) {
                    Matcher condition = PRECONDITION.matcher(line);
                    if (condition.find()) {
                        precondition = condition.group(1).strip();
                    }
                }
                if (route && id == null && !fromFound && !awaitingFrom && line.contains("id:")) {
                    Matcher named = ROUTE_ID.matcher(line);
                    if (named.find()) {
                        id = named.group(1);
                    }
                }
                if (line.strip().equals("from:")) {
                    awaitingFrom = !fromFound;
                } else if (awaitingFrom) {
                    Matcher uri = FROM_URI.matcher(line);
                    if (uri.find()) {
                        awaitingFrom = false;
                        fromFound = true;
                        Matcher consumed = ENDPOINT.matcher(uri.group(1));
                        if (route && consumed.lookingAt()) {
                            consumes = consumed.group(1);
                        }
                    }
                }
            }
            return new Item(location, route, id, consumes, precondition, references);
        }
    }
}
