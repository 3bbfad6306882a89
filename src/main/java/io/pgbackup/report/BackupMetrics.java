package io.pgbackup.report;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backups in /observe/metrics (Prometheus), one series per database:
 * <ul>
 * <li>{@code pgbackup_last_success_timestamp_seconds}: the newest good backup (end of a run here, else the start
 * time in its key in the bucket); 0 when none is known</li>
 * <li>{@code pgbackup_last_backup_duration_seconds}, {@code pgbackup_last_backup_size_bytes}: the last good backup
 * run by this process (compressed size)</li>
 * <li>{@code pgbackup_backup_failures_total}, {@code pgbackup_backup_successes_total}: runs of this process</li>
 * </ul>
 * Bound when Camel has started, to the Prometheus registry that camel-micrometer-prometheus creates in service mode
 * ({@code camel.metrics.enabled}); without it (the one-shot commands) this does nothing.
 */
public class BackupMetrics implements CamelContextAware, StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(BackupMetrics.class);

    private CamelContext camelContext;
    private BackupStatus status;
    private MeterRegistry bound;

    @Override
    public void setCamelContext(CamelContext camelContext) {
        if (this.camelContext == camelContext) {
            return; // set again when the bean is bound into the registry
        }
        this.camelContext = camelContext;
        try {
            camelContext.addStartupListener(this);
        } catch (Exception e) {
            throw new IllegalStateException("cannot watch the start of Camel", e);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the registry is there once every service has started: see onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        if (!context.getRegistry().findByType(BackupMetrics.class).contains(this)) {
            // camel-main reads the YAML beans twice (a first pass for configuration, then with the routes):
            // only the instance left in the registry, the one whose status the routes update, binds its meters
            return;
        }
        MeterRegistry registry = context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class);
        if (registry == null || status == null) {
            LOG.debug("no metrics registry: backup metrics are off");
            return;
        }
        bindTo(registry);
    }

    /** Registers the meters of every database known now and of each one that appears later. */
    public synchronized void bindTo(MeterRegistry registry) {
        if (bound == registry) {
            return;
        }
        bound = registry;
        status.state().onDatabase(database -> register(registry, database));
    }

    private void register(MeterRegistry registry, String database) {
        BackupState s = status.state();
        Gauge.builder("pgbackup.last.success.timestamp", s, x -> x.lastSuccessEpochSeconds(database))
                .baseUnit("seconds").tag("database", database)
                .description("Time of the newest good backup (Unix seconds); 0 when none is known")
                .register(registry);
        Gauge.builder("pgbackup.last.backup.duration", s, x -> x.lastDurationSeconds(database))
                .baseUnit("seconds").tag("database", database)
                .description("Duration of the last good backup run by this process")
                .register(registry);
        Gauge.builder("pgbackup.last.backup.size", s, x -> x.lastBytes(database))
                .baseUnit("bytes").tag("database", database)
                .description("Compressed size of the last good backup run by this process")
                .register(registry);
        FunctionCounter.builder("pgbackup.backup.failures", s, x -> x.failures(database))
                .tag("database", database).description("Failed backups run by this process")
                .register(registry);
        FunctionCounter.builder("pgbackup.backup.successes", s, x -> x.successes(database))
                .tag("database", database).description("Good backups run by this process")
                .register(registry);
    }

    public void setStatus(BackupStatus status) {
        this.status = status;
    }
}
