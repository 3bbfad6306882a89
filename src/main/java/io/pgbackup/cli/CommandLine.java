package io.pgbackup.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code pg-backup [service|backup|list|restore|check-managed|prune|help] [--option value ...] [--flag]}. */
public record CommandLine(String name, Map<String, String> options) {

    public static final String USAGE = """
            usage: java -jar pg-backup.jar [COMMAND] [OPTIONS]
              (no command)   run as a service: back up on the BACKUP_CRON schedule until stopped
              backup         back up DB_NAME (one name, a comma list, or *) once now; exit 0 when every object is
                             stored, 1 otherwise
              list           list stored backups under BACKUP_PREFIX (key, size, time, state: good, shrunk or
                             unchecked), oldest first
              restore        load a backup into a new database: into a temporary database first, checked against its
                             manifest (SHA-256, sizes, rows of every table), then renamed to the target
                  --target-db NAME   database to create (or RESTORE_TARGET_DB); it must not exist yet
                  --replace          the target may exist: it is renamed aside to NAME_before_YYYYMMDDHHMMSS
                                     (never dropped); refused while sessions are connected to it
                  --database NAME    whose backups (default: DB_NAME, which must then name one database)
                  --key KEY          this backup (a backup without a manifest restores only this way, unchecked)
                  --before TIME      the newest good backup at or before "YYYY-MM-DD HH:MM[:SS]" (BACKUP_TIMEZONE)
                  --no-owner         leave out ALTER ... OWNER TO: everything belongs to the user restoring
                  --no-privileges    leave out GRANT and REVOKE (both: into a server without the source's roles,
                                     e.g. staging: RESTORE_DB_HOST, RESTORE_DB_USER, RESTORE_DB_PASSWORD)
                             (default: the newest good backup: with a manifest and no warning)
                  custom-format backups (BACKUP_FORMAT=custom, .dump.gz) only:
                  --table S.NAME     only this table (or view, sequence) with its data, indexes, constraints,
                                     defaults, triggers; repeatable; NAME alone: in any schema
                  --schema NAME      every object of this schema; repeatable
                  --into-existing    with --table/--schema: into the existing --target-db, in one transaction;
                                     refused when a table to restore exists there, unless --clean
                  --clean            with --into-existing: drop and recreate the restored objects (only those)
                  --jobs N           pg_restore -j N into the new database: the archive is written to
                                     BACKUP_WORK_DIR first (refused when it lacks the room), removed afterwards
              verify         test restore: the newest backup of each database of DB_NAME into a scratch database,
                             row counts compared with its manifest, scratch dropped; exit 0 when all match, 1 otherwise
              check-managed  check Cloud DB's own (managed) backup of CLOUD_DB_INSTANCE_NO now: notify and back up
                             when it is older than MANAGED_BACKUP_MAX_AGE; exit 1 when it is stale
              prune          delete the backups no RETENTION_* rule keeps (the newest of each database always stays);
                             prints KEEP or DELETE and the reason for every backup, then a summary
                  --dry-run          print what would be deleted; delete nothing
                  --database NAME    only this database's backups (default: every database under BACKUP_PREFIX)
              list, verify, prune and restore also take:
                  --from primary|copy  the store to read (default primary; copy: the COPY_TO_* store). restore
                                     from the primary falls back to the copy by itself when the primary's backup
                                     is missing or fails its check before anything is loaded
              help           this text
              help settings  every setting: its environment variable, default, what it allows, which commands need
                             it, one line of help (the declaration in application.properties)
            options for every command:
              --config FILE        settings file (or PG_BACKUP_CONFIG; default ./application.properties, else built in)
              --routes DIR         folder of route YAML files (or ROUTES_DIR; default ./routes, else built in)
            settings: pg-backup help settings (application.properties; each overridable by its environment variable).""";

    private static final Set<String> COMMANDS = Set.of("service", "backup", "list", "restore", "verify", "check-managed",
            "prune", "help");
    private static final Set<String> OPTIONS = Set.of("config", "routes", "target-db", "key", "database", "before",
            "table", "schema", "jobs", "from");
    private static final String SEPARATOR = "\u0000";
    /** Options that may be given more than once: their values are kept in order ({@link #values}). */
    private static final Set<String> REPEATABLE = Set.of("table", "schema");
    /** Options without a value; each belongs to one command. */
    private static final Map<String, String> FLAGS = Map.of("dry-run", "prune", "replace", "restore", "no-owner",
            "restore", "no-privileges", "restore", "into-existing", "restore", "clean", "restore");
    /** Options with a value that belong to one command. */
    private static final Map<String, String> COMMAND_OPTIONS = Map.of("table", "restore", "schema", "restore", "jobs",
            "restore");

    public static CommandLine parse(String[] args) {
        String name = "service";
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                name = "help";
            } else if (arg.startsWith("--")) {
                String key = arg.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (FLAGS.containsKey(key)) {
                    value = "true";
                } else if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("option --" + key + " needs a value");
                }
                if (eq >= 0 && FLAGS.containsKey(key)) {
                    throw new IllegalArgumentException("option --" + key + " takes no value");
                }
                if (!OPTIONS.contains(key) && !FLAGS.containsKey(key)) {
                    throw new IllegalArgumentException("unknown option --" + key);
                }
                if (REPEATABLE.contains(key) && options.containsKey(key)) {
                    value = options.get(key) + SEPARATOR + value; // NUL: the one character no argument can hold
                }
                options.put(key, value);
            } else if (COMMANDS.contains(arg) && i == 0) {
                name = arg;
            } else if (name.equals("help") && i == 1 && arg.equals("settings")) {
                options.put("topic", "settings");
            } else {
                throw new IllegalArgumentException("unknown command or argument '" + arg + "'");
            }
        }
        for (String flag : FLAGS.keySet()) {
            if (options.containsKey(flag) && !name.equals(FLAGS.get(flag))) {
                throw new IllegalArgumentException("option --" + flag + " is for the " + FLAGS.get(flag) + " command only");
            }
        }
        for (Map.Entry<String, String> option : COMMAND_OPTIONS.entrySet()) {
            if (options.containsKey(option.getKey()) && !name.equals(option.getValue())) {
                throw new IllegalArgumentException("option --" + option.getKey() + " is for the " + option.getValue()
                        + " command only");
            }
        }
        return new CommandLine(name, Map.copyOf(options));
    }

    /** Every value of a repeatable option (--table a --table b), in the order given; empty when not given. */
    public java.util.List<String> values(String key) {
        String value = options.get(key);
        return value == null ? java.util.List.of() : java.util.List.of(value.split(SEPARATOR, -1));
    }

    /** Whether a flag (an option without a value, e.g. --dry-run) was given. */
    public boolean has(String flag) {
        return options.containsKey(flag);
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}
