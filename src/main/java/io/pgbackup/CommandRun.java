package io.pgbackup;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.pgbackup.run.Failures;
import io.pgbackup.run.RunProperties;
import io.pgbackup.storage.RestoreFallback;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command in the camel-main made for it ({@link CommandMain}): a one-shot command starts Camel, sends one
 * request to its entry route, tells how it went and stops; the service runs until a signal stops it.
 */
final class CommandRun {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    /** How a command's result is told (printed) once its route went well: the exit code. */
    interface Outcome {
        int of(Exchange exchange);
    }

    /** What one command sends: the route, the exchange's properties, and how its result is told. */
    record Request(String route, Map<String, Object> properties, Outcome outcome) {
    }

    private final PrintStream err;

    CommandRun(PrintStream err) {
        this.err = err;
    }

    int once(Main main, String route, Map<String, Object> properties, Outcome outcome) throws Exception {
        return once(main, context -> new Request(route, properties, outcome));
    }

    /** Starts Camel (settings loaded and checked), makes the request from them, runs it, stops. */
    int once(Main main, Function<CamelContext, Request> request) throws Exception {
        main.addOverrideProperty("backup.schedule.enabled", "false");
        try {
            main.start();
        } catch (RuntimeException e) {
            stopAfterFailedStart(main);
            throw e;
        }
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
                    return PgBackup.FAILED;
                }
                if (RestoreFallback.fallsBack(exchange)) {
                    return RestoreFallback.AGAIN_FROM_COPY;
                }
                if ("FAILED".equals(exchange.getProperty(RunProperties.OUTCOME))) {
                    // handled by the dead-letter route, which logged and notified
                    return PgBackup.FAILED;
                }
                return sent.outcome().of(exchange);
            }
        } finally {
            main.stop();
        }
    }

    /**
     * A start that failed before Camel's context started (a route file that cannot be read, say) leaves the context
     * made but never stopped: stopped here, so that what was started for it (the store's client, OneShotStart) is
     * stopped too. The start's own failure is what the command reports.
     */
    private static void stopAfterFailedStart(Main main) {
        CamelContext context = main.getCamelContext();
        if (context != null) {
            try {
                context.stop();
            } catch (RuntimeException ignored) {
                // the start's failure is the one to report
            }
        }
    }

    /** The service: on its schedules until SIGTERM or SIGINT; exit 0 after a clean stop. */
    static int service(Main main) throws Exception {
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
        return PgBackup.OK;
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

    private static String property(BaseMainSupport main, String key) {
        return io.pgbackup.settings.SettingsDeclaration.value(main.getCamelContext(), key);
    }
}
