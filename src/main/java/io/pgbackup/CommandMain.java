package io.pgbackup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.pgbackup.cli.CommandLine;
import io.pgbackup.schedule.ClusteredScheduler;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;

/**
 * The camel-main a parsed command runs in, made but not started: its settings file (--config, PG_BACKUP_CONFIG,
 * ./application.properties, else the jar's), the settings the command puts over them, every setting checked before
 * anything reads it, and only the routes the command can reach ({@link CommandRoutes}).
 */
final class CommandMain {

    private CommandMain() {
    }

    /**
     * {@code env}: the process's environment (PG_BACKUP_CONFIG, ROUTES_DIR); {@code overrides}: settings over the
     * configured ones; {@code everyRoute}: every route made whatever the command (the start-up cache's training run).
     * A missing --config file or --routes folder: IllegalArgumentException (a usage error).
     */
    static Main make(CommandLine command, Map<String, String> env, Map<String, String> overrides, boolean everyRoute) {
        OneShotStart oneShot = OneShotStart.of(command.name(), everyRoute);
        Main main = new Main() {
            @Override
            protected void configureLifecycle(CamelContext context) throws Exception {
                super.configureLifecycle(context);
                // camel-main has configured the components (its last step before it reads the route files)
                if (oneShot != null) {
                    oneShot.componentsConfigured(context);
                }
            }
        };
        CommandRoutes routes = CommandRoutes.read(command, env, everyRoute);
        overrides.forEach(main::addOverrideProperty);
        // --from primary|copy: the store list, verify, prune and restore read (CopyToSettings)
        main.addOverrideProperty("storage.from", CopyToSettings.from(command));
        if (command.name().equals("restore")) {
            // restore works on one database: --database, else the one a --key names, else DB_NAME (checked: one name)
            String database = RestoreCommand.restoreDatabase(command, "");
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
                configure(configuring.getCamelContext(), configuring.configure(), command.name(), routes, env);
            }

            @Override
            public void afterConfigure(BaseMainSupport configured) {
                if (command.name().equals("service")) {
                    ClusteredScheduler.configure(configured.getCamelContext());
                    // a fire nobody took is logged with its own time (it runs late, once)
                    io.pgbackup.schedule.MisfireLog.register(configured.getCamelContext());
                }
            }
        });
        if (oneShot != null) {
            main.addMainListener(oneShot);
        }
        main.setPropertyPlaceholderLocations(configLocation(command, env));
        routes.configure(main.configure(), precondition -> false);
        return main;
    }

    /**
     * What the command's camel-main does to its context before any route or bean is made: settings reach Camel one
     * way only, every setting checked, the derived settings, and only the route files the command can reach. The seam
     * for a context made elsewhere: Camel's test support (@CamelMainTest) calls it with its own context and
     * configuration, so route tests start the real app ({@code AppRouteTest}). Settings are read from {@code env} (the
     * environment {@code PgBackup.run} was given; none in route tests, which set theirs as properties).
     */
    static void configure(CamelContext context, MainConfigurationProperties camel, String command, CommandRoutes routes,
            Map<String, String> env) {
        // the variables that are not settings (PATH, HOME, HOSTNAME...) are read from env too, not from the JVM's
        context.getRegistry().bind(io.pgbackup.settings.RunEnvironment.BEAN, new io.pgbackup.settings.RunEnvironment(env));
        // settings reach Camel one way only: application.properties' {{env:NAME:default}}, then the command's
        // own overrides (restore --database). Camel would otherwise also map any variable named like a key
        // (DB_NAME -> db.name) over both.
        ((org.apache.camel.component.properties.PropertiesComponent) context
                .getPropertiesComponent()).setEnvironmentVariableMode(
                        org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        // {{env:NAME:default}} takes the variable's value as data: a {{...}} inside it is not resolved
        context.getPropertiesComponent()
                .addPropertiesFunction(new io.pgbackup.settings.LiteralEnvironment(env));
        // every setting is checked before anything reads it: camel-main (camel.management.*), and the beans
        // of routes/beans.yaml, which would otherwise fail on a bad value with a message naming no setting
        SettingsCheck.checkEarly(context);
        derivedSettings(context, command);
        io.pgbackup.settings.SettingValues.register(context);
        SettingsCheck.check(context, command);
        // only the route files this command can reach, now that the settings tell which schedules are on
        routes.configure(camel,
                precondition -> CommandRoutes.isOff(context, precondition));
        // the stage of a failure is the route group it happened in (report/FailedStage)
        context.addRoutePolicyFactory(new io.pgbackup.report.FailedStage());
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

    private static String configLocation(CommandLine command, Map<String, String> env) {
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
}
