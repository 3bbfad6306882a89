package io.pgbackup;

import java.io.PrintStream;
import java.util.Map;

import io.pgbackup.cli.CommandLine;
import io.pgbackup.cli.UsageException;
import io.pgbackup.run.Failures;
import io.pgbackup.retention.Pruning;
import io.pgbackup.settings.InvalidSettingException;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.main.Main;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Entry point. Without a command pg-backup runs as a service on its Quartz schedule; the commands
 * {@code backup}, {@code list}, {@code restore}, {@code check-managed} and {@code prune} do one thing and exit with a
 * code that tells how it went.
 * <p>
 * Settings come from {@code application.properties} (the one in the working directory, else the copy in the jar;
 * PG_BACKUP_CONFIG names another) and the routes from {@code ./routes/*.yaml} (ROUTES_DIR names another folder;
 * the jar's copy is used when there is none). The command line is parsed by {@link CommandLine}, the camel-main made
 * by {@link CommandMain} and run by {@link CommandRun}; {@link RestoreCommand} checks restore's options and
 * {@link CommandOutput} prints what a command found.
 */
public final class PgBackup {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

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
        System.exit(run(args, System.getenv(), Map.of(), System.out, System.err));
    }

    /**
     * Runs one command in this process as {@link #main} does, and returns its exit code instead of ending the process
     * (0 done, 1 failed, 2 a wrong command line or setting). {@code env} stands for the process's environment where
     * pg-backup reads it directly (PG_BACKUP_CONFIG, ROUTES_DIR, LOG_LEVEL, PATH and what else a child inherits:
     * settings/RunEnvironment); {@code settings} are setting keys ({@code db.port}) with values that replace the
     * configured ones.
     */
    public static int run(String[] args, Map<String, String> env, Map<String, String> settings, PrintStream out,
            PrintStream err) {
        io.pgbackup.logging.LogConfiguration.useEnvironment(env);
        if (args.length > 0 && !args[0].equals("help")) {
            TlsWarmUp.start();
        }
        plainRequests();
        return new PgBackup(env, out, err, settings).run(args);
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
        CommandRun run = new CommandRun(err);
        CommandOutput output = new CommandOutput(out);
        try {
            return switch (command.name()) {
                case "service" -> CommandRun.service(main);
                case "backup" -> run.once(main, CommandRoutes.entry("backup"), Map.of(), exchange -> OK);
                case "list" -> run.once(main, CommandRoutes.entry("list"), Map.of(), output::list);
                case "verify" -> run.once(main, CommandRoutes.entry("verify"), Map.of(), exchange -> OK);
                case "check-managed" -> run.once(main, CommandRoutes.entry("check-managed"), Map.of(), output::managedCheck);
                case "restore" -> new RestoreCommand(run, output, this::newMain).restoreOrFromCopy(main, command);
                case "prune" -> run.once(main, CommandRoutes.entry("prune"), Map.of(Pruning.DRY_RUN, command.has("dry-run"),
                        Pruning.DATABASE, command.option("database", "")), output::prunePlan);
                default -> throw new IllegalStateException("unknown command " + command.name());
            };
        } catch (UsageException e) {
            err.println("pg-backup: " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            InvalidSettingException invalid = Failures.causeOf(e, InvalidSettingException.class);
            if (invalid != null) {
                err.println("pg-backup: " + invalid.getMessage());
                return USAGE;
            }
            err.println("pg-backup: " + Failures.oneLine(e));
            // a route file that is not YAML (a user's edit in ROUTES_DIR) is bad input, as a bad setting is
            return Failures.causeOf(e, MarkedYamlEngineException.class) != null ? USAGE : FAILED;
        }
    }

    /** Every command of this instance makes every route, as the service does (the training run only). */
    PgBackup everyRoute() {
        everyRoute = true;
        return this;
    }

    /** The camel-main of a command, made but not started ({@link CommandMain}). */
    Main newMain(CommandLine command) {
        return CommandMain.make(command, env, overrides, everyRoute);
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
