package io.pgbackup.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backup's key names its database and its start to the second (under BUCKET_NAME and BACKUP_PREFIX), and a one-shot
 * backup never overwrites a key: a second backup of the same database in the same second fails. Through the launcher
 * that never happens (the JVM's start alone takes longer than a second); in-process it can. So an in-process backup
 * that could write a key an earlier one wrote starts in a later second than the one that backup ended in (a key's
 * time lies between its run's start and end); backups of other databases, buckets or prefixes do not wait. What a run
 * may write is read from its environment; a run whose targets are not known from it (a list with quotes or {@code *},
 * the roles backup, options on the command line such as a configuration file) counts as writing any key.
 */
final class BackupSeconds {

    private static final String ANY = "*";

    /** Where and what a backup writes: bucket and prefix, and one database ({@link #ANY}: any). */
    record Target(String scope, String database) {
        boolean meets(Target other) {
            return (scope.equals(ANY) || other.scope.equals(ANY) || scope.equals(other.scope))
                    && (database.equals(ANY) || other.database.equals(ANY) || database.equals(other.database));
        }
    }

    private final Map<Target, Long> endedIn = new HashMap<>();

    /** The targets of {@code pg-backup ARGS} with this environment. */
    static List<Target> targets(String[] args, Map<String, String> env) {
        String names = env.getOrDefault("DB_NAME", "");
        if (args.length != 1 || names.isBlank() || names.contains("\"") || names.contains(ANY)
                || "true".equalsIgnoreCase(env.get("BACKUP_GLOBALS"))) {
            return List.of(new Target(ANY, ANY));
        }
        String scope = env.getOrDefault("BUCKET_NAME", "") + "/" + env.getOrDefault("BACKUP_PREFIX", "");
        List<Target> targets = new ArrayList<>();
        for (String name : names.split(",")) {
            targets.add(new Target(scope, name.strip()));
        }
        return targets;
    }

    /** Waits, if need be, until a second none of the earlier backups that met these targets ended in. */
    void waitForAFreeSecond(List<Target> targets) throws InterruptedException {
        long last = -1;
        for (Map.Entry<Target, Long> earlier : endedIn.entrySet()) {
            if (targets.stream().anyMatch(t -> t.meets(earlier.getKey()))) {
                last = Math.max(last, earlier.getValue());
            }
        }
        long now = System.currentTimeMillis();
        if (now / 1000 <= last) {
            Thread.sleep((last + 1) * 1000 - now + 5);
        }
    }

    /** The backup with these targets ended now. */
    void ended(List<Target> targets) {
        long second = System.currentTimeMillis() / 1000;
        targets.forEach(t -> endedIn.put(t, second));
    }
}
