package io.pgbackup;

import io.pgbackup.settings.SettingsDeclaration;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.pgbackup.cli.CommandLine;
import io.pgbackup.report.Failures;
import io.pgbackup.restore.RestoreTarget;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;
import io.pgbackup.storage.IncompleteUploads;
import io.pgbackup.report.RunReport;
import io.pgbackup.retention.Pruning;
import io.pgbackup.retention.RetentionPolicy;
import io.pgbackup.schedule.ClusteredScheduler;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point. Without a command pg-backup runs as a service on its Quartz schedule; the commands
 * {@code backup}, {@code list}, {@code restore}, {@code check-managed} and {@code prune} do one thing and exit with a
 * code that tells how it went.
 * <p>
 * Settings come from {@code application.properties} (the one in the working directory, else the copy in the jar;
 * PG_BACKUP_CONFIG names another) and the routes from {@code ./routes/*.yaml} (ROUTES_DIR names another folder;
 * the jar's copy is used when there is none).
 */
public final class PgBackup {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    /** Settings that replace the configured ones for this run (the class-data-sharing training run only). */
    private final Map<String, String> overrides;
    /** Make every route whatever the command (the start-up cache's training run, which loads what any command uses). */
    private boolean everyRoute;

    PgBackup(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, out, err, Map.of());
    }

    PgBackup(Map<String, String> env, PrintStream out, PrintStream err, Map<String, String> overrides) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.overrides = overrides;
    }

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].equals("help")) {
            TlsWarmUp.start();
        }
        plainRequests();
        int code = new PgBackup(System.getenv(), System.out, System.err).run(args);
        System.exit(code);
    }

    int run(String[] args) {
        CommandLine command;
        try {
            command = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("pg-backup: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return USAGE;
        }
        if (command.name().equals("help")) {
            out.println(command.has("topic") ? SettingsDeclaration.builtIn().helpText() : CommandLine.USAGE);
            return OK;
        }
        Main main;
        try {
            main = newMain(command);
        } catch (IllegalArgumentException e) {
            err.println("pg-backup: " + e.getMessage());
            return USAGE;
        }
        try {
            return switch (command.name()) {
                case "service" -> runService(main);
                case "backup" -> runOnce(main, CommandRoutes.entry("backup"), Map.of(), exchange -> OK);
                case "list" -> runOnce(main, CommandRoutes.entry("list"), Map.of(), this::printList);
                case "verify" -> runOnce(main, CommandRoutes.entry("verify"), Map.of(), exchange -> OK);
                case "check-managed" -> runOnce(main, CommandRoutes.entry("check-managed"), Map.of(), this::printManagedCheck);
                case "restore" -> restoreOrFromCopy(main, command);
                case "prune" -> runOnce(main, CommandRoutes.entry("prune"), Map.of(Pruning.DRY_RUN, command.has("dry-run"),
                        Pruning.DATABASE, command.option("database", "")), this::printPrunePlan);
                default -> throw new IllegalStateException("unknown command " + command.name());
            };
        } catch (UsageException e) {
            err.println("pg-backup: " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            SettingsCheck.InvalidSettingException invalid = invalidSetting(e);
            if (invalid != null) {
                err.println("pg-backup: " + invalid.getMessage());
                return USAGE;
            }
            err.println("pg-backup: " + Failures.oneLine(e));
            return FAILED;
        }
    }

    private static SettingsCheck.InvalidSettingException invalidSetting(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SettingsCheck.InvalidSettingException invalid) {
                return invalid;
            }
        }
        return null;
    }

    /** A restore; made again from the copy store when the primary's backup could not be used (RestoreFallback). */
    private int restoreOrFromCopy(Main main, CommandLine command) throws Exception {
        int code = restore(main, command);
        if (code != io.pgbackup.storage.RestoreFallback.AGAIN_FROM_COPY) {
            return code;
        }
        CommandLine fromCopy = io.pgbackup.storage.RestoreFallback.fromCopy(command);
        return restore(newMain(fromCopy), fromCopy);
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
        java.time.LocalDateTime notAfter = null;
        if (!before.isEmpty()) {
            try {
                notAfter = parseBefore(before);
            } catch (java.time.format.DateTimeParseException e) {
                throw new UsageException("--before: '" + before + "' is not a time like \"2026-11-28 02:00\" or \"2026-11-28 02:00:30\"");
            }
        }
        java.time.LocalDateTime chosenNotAfter = notAfter;
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
        return runOnce(main, context -> {
            if (DatabaseList.GLOBALS.equals(SettingsDeclaration.value(context, "db.name"))) {
                return restoreGlobals(command);
            }
            String target = given.isEmpty() ? SettingsDeclaration.value(context, "restore.target.db") : given;
            if (target.isEmpty()) {
                throw new UsageException("restore needs a target database: --target-db NAME (or RESTORE_TARGET_DB)");
            }
            checkTarget(target);
            Map<String, Object> properties = new java.util.HashMap<>();
            if (chosenNotAfter != null) {
                properties.put(BackupCatalog.NOT_AFTER, chosenNotAfter);
            }
            properties.put(RestoreTarget.TARGET, target);
            properties.put(RestoreTarget.REPLACE, command.has("replace"));
            properties.put(io.pgbackup.restore.OwnershipFilter.NO_OWNER, command.has("no-owner"));
            properties.put(io.pgbackup.restore.OwnershipFilter.NO_PRIVILEGES, command.has("no-privileges"));
            properties.put(io.pgbackup.restore.ArchiveRestore.TABLES, command.values("table"));
            properties.put(io.pgbackup.restore.ArchiveRestore.SCHEMAS, command.values("schema"));
            properties.put(io.pgbackup.restore.ArchiveRestore.INTO_EXISTING, command.has("into-existing"));
            properties.put(io.pgbackup.restore.ArchiveRestore.CLEAN, command.has("clean"));
            properties.put(io.pgbackup.restore.ArchiveRestore.JOBS, jobs);
            properties.put(BackupCatalog.REQUESTED_KEY, key);
            return new Request(CommandRoutes.entry("restore"), properties, exchange -> {
                out.println("restored " + DatabaseRun.of(exchange).key() + " into database " + target
                        + ": " + DatabaseRun.of(exchange).summary());
                String note = exchange.getProperty("restoreNote", "", String.class);
                if (!note.isEmpty()) {
                    out.println(note);
                }
                return OK;
            });
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
    private Request restoreGlobals(CommandLine command) {
        if (command.has("target-db") || command.has("replace") || command.has("before") || command.has("table")
                || command.has("schema") || command.has("jobs") || command.has("into-existing")) {
            throw new UsageException("the roles backup (@globals) is restored onto the server itself: leave out"
                    + " --target-db, --replace, --before, --table, --schema, --jobs and --into-existing (name the"
                    + " backup with --key, or take the newest good one)");
        }
        Map<String, Object> properties = new java.util.HashMap<>();
        properties.put(RestoreTarget.TARGET, "(the server's roles)");
        properties.put(BackupCatalog.REQUESTED_KEY, command.option("key", ""));
        return new Request(CommandRoutes.entry("restore"), properties, exchange -> {
            out.println("restored " + DatabaseRun.of(exchange).key() + " onto the server: "
                    + DatabaseRun.of(exchange).summary());
            return OK;
        });
    }

    /** The database a restore works on: --database, else the one a --key names, else {@code fallback} (DB_NAME). */
    static String restoreDatabase(CommandLine command, String fallback) {
        return command.option("database", BackupKey.parseListed(command.option("key", "")).map(BackupKey::database)
                .orElse(fallback));
    }

    /** --before: "YYYY-MM-DD HH:MM" or with seconds (a T between date and time works too), in BACKUP_TIMEZONE. */
    static java.time.LocalDateTime parseBefore(String text) {
        String normalized = text.strip().replace('T', ' ');
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern(
                normalized.length() > 16 ? "uuuu-MM-dd HH:mm:ss" : "uuuu-MM-dd HH:mm")
                .withResolverStyle(java.time.format.ResolverStyle.STRICT);
        return java.time.LocalDateTime.parse(normalized, format);
    }

    private int printManagedCheck(Exchange exchange) {
        out.println(exchange.getProperty("managedBackupSummary"));
        Object action = exchange.getProperty(RunReport.ALERT_ACTION);
        if (action != null) {
            out.println("action: " + action);
        }
        return Boolean.TRUE.equals(exchange.getProperty("managedBackupStale", Boolean.class)) ? FAILED : OK;
    }

    /**
     * One line a backup (oldest first): key, size, time stored, and its state (good, shrunk, unchecked, unreadable;
     * unsigned, bad-signature, future), with why when it is not good.
     */
    private int printList(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<BackupCatalog.Entry> entries = exchange.getMessage().getBody(List.class);
        out.printf("%-70s %14s  %-24s  %s%n", "KEY", "SIZE", "LAST MODIFIED", "STATE");
        Map<BackupCatalog.State, Integer> counts = new java.util.EnumMap<>(BackupCatalog.State.class);
        for (BackupCatalog.Entry entry : entries) {
            String state = entry.state().label() + (entry.state() == BackupCatalog.State.GOOD ? "" : " (" + entry.note() + ")");
            out.printf("%-70s %14d  %-24s  %s%n", entry.object().key(), entry.object().size(), entry.object().lastModified(),
                    state);
            counts.merge(entry.state(), 1, Integer::sum);
        }
        StringBuilder summary = new StringBuilder(entries.size() + " backup(s)");
        String separator = ": ";
        for (Map.Entry<BackupCatalog.State, Integer> count : counts.entrySet()) {
            summary.append(separator).append(count.getValue()).append(' ').append(count.getKey().label());
            separator = ", ";
        }
        out.println(summary);
        return OK;
    }

    /** One line a backup: KEEP or DELETE, key, reason (tab-separated: keys may hold spaces); then the summary. */
    private int printPrunePlan(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<RetentionPolicy.Decision> plan = exchange.getProperty(Pruning.PLAN, List.class);
        for (RetentionPolicy.Decision decision : plan) {
            out.println(decision.action() + "\t" + decision.key() + "\t" + decision.reason());
        }
        @SuppressWarnings("unchecked")
        List<IncompleteUploads.Stale> stale = exchange.getProperty(IncompleteUploads.FOUND, List.class);
        if (stale != null) {
            stale.forEach(upload -> out.println(upload.line()));
        }
        out.println(exchange.getProperty(Pruning.SUMMARY));
        return OK;
    }

    private int runService(Main main) throws Exception {
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport started) {
                LOG.info("pg-backup service started: backup of {} on schedule '{}' ({})", property(started, "db.name"),
                        property(started, "backup.cron"), property(started, "backup.timezone"));
                LOG.info("health on http://{}:{}/observe/health, metrics on /observe/metrics; stale after {}, checked every {}",
                        property(started, "management.host"), property(started, "management.port"),
                        property(started, "stale.after"), property(started, "stale.check.interval"));
            }
        });
        stopOnSignals(main);
        main.run();
        return OK;
    }

    /**
     * SIGTERM (an orchestrator, systemd, kill) and SIGINT (Ctrl-C) stop the service the way camel-main stops: the
     * schedule first, a running backup allowed to finish (camel.main.shutdown-timeout), then everything else; and the
     * process then exits 0, as a clean stop should. (Left to the JVM, a signal ends the process with 128 + the signal's
     * number whatever happened.) A second signal during the stop is logged and waits for the same stop.
     */
    private static void stopOnSignals(Main main) {
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        for (String name : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    LOG.info("SIG{} received: stopping (a running backup is let finish)", name);
                    main.completed();
                } else {
                    LOG.info("SIG{} received again: already stopping", name);
                }
            });
        }
    }

    private interface Outcome {
        int of(Exchange exchange);
    }

    /** What one command sends: the route, the exchange's properties, and how its result is told. */
    private record Request(String route, Map<String, Object> properties, Outcome outcome) {
    }

    /** A wrong command line found once the settings are loaded: one line, exit 2. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private int runOnce(Main main, String route, Map<String, Object> properties, Outcome outcome) throws Exception {
        return runOnce(main, context -> new Request(route, properties, outcome));
    }

    /** Starts Camel (settings loaded and checked), makes the request from them, runs it, stops. */
    private int runOnce(Main main, java.util.function.Function<CamelContext, Request> request) throws Exception {
        main.addOverrideProperty("backup.schedule.enabled", "false");
        main.start();
        try {
            CamelContext context = main.getCamelContext();
            Request sent = request.apply(context);
            try (ProducerTemplate template = context.createProducerTemplate()) {
                Exchange exchange = template.send(sent.route(), e -> sent.properties().forEach((k, v) -> {
                    if (v != null) {
                        e.setProperty(k, v);
                    }
                }));
                if (exchange.isFailed()) {
                    Exception failure = exchange.getException();
                    err.println("pg-backup: FAILED: " + Failures.oneLine(failure));
                    return FAILED;
                }
                if (io.pgbackup.storage.RestoreFallback.fallsBack(exchange)) {
                    return io.pgbackup.storage.RestoreFallback.AGAIN_FROM_COPY;
                }
                if ("FAILED".equals(exchange.getProperty(RunReport.OUTCOME))) {
                    // handled by the dead-letter route, which logged and notified
                    return FAILED;
                }
                return sent.outcome().of(exchange);
            }
        } finally {
            main.stop();
        }
    }

    /** Every command of this instance makes every route, as the service does (the training run only). */
    PgBackup everyRoute() {
        everyRoute = true;
        return this;
    }

    Main newMain(CommandLine command) {
        Main main = new Main();
        CommandRoutes routes = CommandRoutes.read(command, env, everyRoute);
        overrides.forEach(main::addOverrideProperty);
        // --from primary|copy: the store list, verify, prune and restore read (CopyToSettings)
        main.addOverrideProperty("storage.from", CopyToSettings.from(command));
        if (command.name().equals("restore")) {
            // restore works on one database: --database, else the one a --key names, else DB_NAME (checked: one name)
            String database = restoreDatabase(command, "");
            if (!database.isEmpty()) {
                // a value, never a placeholder: {{...}} in it stays as it is (LiteralEnvironment.escape)
                main.addOverrideProperty("db.name", io.pgbackup.settings.LiteralEnvironment.escape(database));
            }
        }
        if (command.name().equals("service")) {
            // the management server (/observe/health, /observe/metrics) and the stale-backup check
            main.addOverrideProperty("observe.enabled", "true");
        }
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                // settings reach Camel one way only: application.properties' {{env:NAME:default}}, then the command's
                // own overrides (restore --database). Camel would otherwise also map any variable named like a key
                // (DB_NAME -> db.name) over both.
                ((org.apache.camel.component.properties.PropertiesComponent) configuring.getCamelContext()
                        .getPropertiesComponent()).setEnvironmentVariableMode(
                                org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
                // {{env:NAME:default}} takes the variable's value as data: a {{...}} inside it is not resolved
                configuring.getCamelContext().getPropertiesComponent()
                        .addPropertiesFunction(new io.pgbackup.settings.LiteralEnvironment());
                // every setting is checked before anything reads it: camel-main (camel.management.*), and the beans
                // of routes/beans.yaml, which would otherwise fail on a bad value with a message naming no setting
                SettingsCheck.checkEarly(configuring.getCamelContext());
                derivedSettings(configuring.getCamelContext(), command.name());
                io.pgbackup.settings.SettingValues.register(configuring.getCamelContext());
                SettingsCheck.check(configuring.getCamelContext(), command.name());
                // only the route files this command can reach, now that the settings tell which schedules are on
                routes.configure(configuring.configure(),
                        precondition -> CommandRoutes.isOff(configuring.getCamelContext(), precondition));
                // the stage of a failure is the route group it happened in (report/FailedStage)
                configuring.getCamelContext().addRoutePolicyFactory(new io.pgbackup.report.FailedStage());
            }

            @Override
            public void afterConfigure(BaseMainSupport configured) {
                if (command.name().equals("service")) {
                    ClusteredScheduler.configure(configured.getCamelContext());
                }
            }
        });
        main.setPropertyPlaceholderLocations(configLocation(command));
        routes.configure(main.configure(), precondition -> false);
        return main;
    }

    /**
     * Settings the app derives from others, decided from the settings as loaded (the environment through
     * application.properties, or a --config file: the same for both), before any route is made.
     */
    static void derivedSettings(CamelContext context, String command) {
        org.apache.camel.spi.PropertiesComponent properties = context.getPropertiesComponent();
        boolean service = command.equals("service");
        if (service && !SettingsDeclaration.value(context, "cloud.db.instance.no").isEmpty()) {
            properties.addOverrideProperty("managed.backup.check.enabled", "true");
        }
        if (service && !SettingsDeclaration.value(context, "verify.cron").isEmpty()) {
            properties.addOverrideProperty("verify.schedule.enabled", "true");
        }
        CopyToSettings.derived(context);
        if (SettingsDeclaration.value(context, "backup.work.dir").isEmpty()) {
            properties.addOverrideProperty("backup.work.dir", System.getProperty("java.io.tmpdir"));
        }
    }

    private String configLocation(CommandLine command) {
        String given = command.option("config", env.getOrDefault("PG_BACKUP_CONFIG", ""));
        if (!given.isBlank()) {
            Path file = Path.of(given);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("PG_BACKUP_CONFIG / --config: no such file " + file.toAbsolutePath());
            }
            return "file:" + file.toAbsolutePath();
        }
        Path local = Path.of("application.properties");
        return Files.isRegularFile(local) ? "file:" + local.toAbsolutePath() : "classpath:application.properties";
    }

    private static String property(BaseMainSupport main, String key) {
        return SettingsDeclaration.value(main.getCamelContext(), key);
    }

    /**
     * S3-compatible stores (NCP Object Storage, S3Proxy, ...) reject the SDK's default aws-chunked uploads with
     * trailing CRC checksums: send plain requests with Content-Length instead.
     */
    static void plainRequests() {
        setDefaultProperty("aws.requestChecksumCalculation", "when_required");
        setDefaultProperty("aws.responseChecksumValidation", "when_required");
    }

    private static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
