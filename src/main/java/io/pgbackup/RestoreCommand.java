package io.pgbackup;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import io.pgbackup.cli.CommandLine;
import io.pgbackup.cli.UsageException;
import io.pgbackup.restore.ArchiveRestore;
import io.pgbackup.restore.OwnershipFilter;
import io.pgbackup.restore.RestoreTarget;
import io.pgbackup.run.DatabaseList;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;
import io.pgbackup.settings.SettingsDeclaration;
import io.pgbackup.storage.BackupKey;
import io.pgbackup.storage.RestoreFallback;

import org.apache.camel.main.Main;

/**
 * {@code restore}: what the command line alone can tell is checked before anything starts (each wrong combination one
 * line, exit 2); the rest once the settings are loaded (RESTORE_TARGET_DB, DB_NAME naming the roles backup); then the
 * request to {@code direct:restore}, made again from the copy store when the primary's backup could not be used.
 */
final class RestoreCommand {

    private final CommandRun run;
    private final CommandOutput output;
    /** Makes the camel-main of a command line (for the restore from the copy). */
    private final Function<CommandLine, Main> mainFor;

    RestoreCommand(CommandRun run, CommandOutput output, Function<CommandLine, Main> mainFor) {
        this.run = run;
        this.output = output;
        this.mainFor = mainFor;
    }

    /** A restore; made again from the copy store when the primary's backup could not be used (RestoreFallback). */
    int restoreOrFromCopy(Main main, CommandLine command) throws Exception {
        int code = restore(main, command);
        if (code != RestoreFallback.AGAIN_FROM_COPY) {
            return code;
        }
        CommandLine fromCopy = RestoreFallback.fromCopy(command);
        return restore(mainFor.apply(fromCopy), fromCopy);
    }

    private int restore(Main main, CommandLine command) throws Exception {
        // what the command line alone can tell is checked before anything starts
        String given = command.option("target-db", "");
        if (!given.isEmpty()) {
            checkTarget(given);
        }
        String key = command.option("key", "");
        String before = command.option("before", "");
        if (!key.isEmpty() && !before.isEmpty()) {
            throw new UsageException("give --key KEY or --before TIME, not both");
        }
        LocalDateTime notAfter = null;
        if (!before.isEmpty()) {
            try {
                notAfter = parseBefore(before);
            } catch (DateTimeParseException e) {
                throw new UsageException("--before: '" + before + "' is not a time like \"2026-11-28 02:00\" or \"2026-11-28 02:00:30\"");
            }
        }
        LocalDateTime chosenNotAfter = notAfter;
        int jobs = jobs(command);
        boolean selective = command.has("table") || command.has("schema");
        if (command.has("into-existing") && !selective) {
            throw new UsageException("--into-existing restores some tables into an existing database: name them with"
                    + " --table or --schema (a whole backup always goes into a new database)");
        }
        if (command.has("clean") && !command.has("into-existing")) {
            throw new UsageException("--clean replaces tables in an existing database: it goes with --into-existing");
        }
        if (command.has("into-existing") && (command.has("replace") || jobs > 0)) {
            throw new UsageException("--into-existing loads in one transaction into the database as it is: leave out "
                    + (command.has("replace") ? "--replace" : "--jobs"));
        }
        for (String table : command.values("table")) {
            if (table.isBlank()) {
                throw new UsageException("--table needs a name: SCHEMA.TABLE, or TABLE in any schema");
            }
        }
        for (String schema : command.values("schema")) {
            if (schema.isBlank()) {
                throw new UsageException("--schema needs a name");
            }
        }
        // the rest from the settings as loaded (environment or --config file alike): DB_NAME, RESTORE_TARGET_DB
        return run.once(main, context -> {
            if (DatabaseList.GLOBALS.equals(SettingsDeclaration.value(context, "db.name"))) {
                return restoreGlobals(command);
            }
            String target = given.isEmpty() ? SettingsDeclaration.value(context, "restore.target.db") : given;
            if (target.isEmpty()) {
                throw new UsageException("restore needs a target database: --target-db NAME (or RESTORE_TARGET_DB)");
            }
            checkTarget(target);
            Map<String, Object> properties = new HashMap<>();
            if (chosenNotAfter != null) {
                properties.put(RunProperties.NOT_AFTER, chosenNotAfter);
            }
            properties.put(DatabaseRun.TARGET_ASKED, target);
            properties.put(RestoreTarget.REPLACE, command.has("replace"));
            properties.put(OwnershipFilter.NO_OWNER, command.has("no-owner"));
            properties.put(OwnershipFilter.NO_PRIVILEGES, command.has("no-privileges"));
            properties.put(ArchiveRestore.TABLES, command.values("table"));
            properties.put(ArchiveRestore.SCHEMAS, command.values("schema"));
            properties.put(ArchiveRestore.INTO_EXISTING, command.has("into-existing"));
            properties.put(ArchiveRestore.CLEAN, command.has("clean"));
            properties.put(ArchiveRestore.JOBS, jobs);
            properties.put(RunProperties.REQUESTED_KEY, key);
            return new CommandRun.Request(CommandRoutes.entry("restore"), properties,
                    exchange -> output.restored(exchange, target));
        });
    }

    /** restore --jobs N: 1..64 (0 when not given: one pg_restore reading the stream). */
    private static int jobs(CommandLine command) {
        String value = command.option("jobs", "");
        if (value.isEmpty()) {
            return 0;
        }
        try {
            int jobs = Integer.parseInt(value.strip());
            if (jobs >= 1 && jobs <= 64) {
                return jobs;
            }
        } catch (NumberFormatException e) {
            // told below
        }
        throw new UsageException("--jobs: '" + value + "' is not a number of processes from 1 to 64");
    }

    private static void checkTarget(String target) {
        String problem = RestoreTarget.problemWithName(target);
        if (problem != null) {
            throw new UsageException("--target-db: " + problem);
        }
    }

    /** The roles backup goes to the server itself: no target database; --key or the newest good one. */
    private CommandRun.Request restoreGlobals(CommandLine command) {
        if (command.has("target-db") || command.has("replace") || command.has("before") || command.has("table")
                || command.has("schema") || command.has("jobs") || command.has("into-existing")) {
            throw new UsageException("the roles backup (@globals) is restored onto the server itself: leave out"
                    + " --target-db, --replace, --before, --table, --schema, --jobs and --into-existing (name the"
                    + " backup with --key, or take the newest good one)");
        }
        Map<String, Object> properties = new HashMap<>();
        properties.put(DatabaseRun.TARGET_ASKED, "(the server's roles)");
        properties.put(RunProperties.REQUESTED_KEY, command.option("key", ""));
        return new CommandRun.Request(CommandRoutes.entry("restore"), properties, output::restoredGlobals);
    }

    /** The database a restore works on: --database, else the one a --key names, else {@code fallback} (DB_NAME). */
    static String restoreDatabase(CommandLine command, String fallback) {
        return command.option("database", BackupKey.parseListed(command.option("key", "")).map(BackupKey::database)
                .orElse(fallback));
    }

    /** --before: "YYYY-MM-DD HH:MM" or with seconds (a T between date and time works too), in BACKUP_TIMEZONE. */
    static LocalDateTime parseBefore(String text) {
        String normalized = text.strip().replace('T', ' ');
        DateTimeFormatter format = DateTimeFormatter.ofPattern(
                normalized.length() > 16 ? "uuuu-MM-dd HH:mm:ss" : "uuuu-MM-dd HH:mm")
                .withResolverStyle(ResolverStyle.STRICT);
        return LocalDateTime.parse(normalized, format);
    }
}
