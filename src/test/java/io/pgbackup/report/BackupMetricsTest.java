package io.pgbackup.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.junit.jupiter.api.Test;

class BackupMetricsTest {

    @Test
    void eachDatabaseHasItsSeriesInThePrometheusText() {
        BackupStatus status = new BackupStatus();
        status.setDatabases("shop");
        BackupMetrics metrics = new BackupMetrics();
        metrics.setStatus(status);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        metrics.bindTo(registry);
        metrics.bindTo(registry);
        status.state().recordSuccess("shop", Instant.now().minusSeconds(2), 4096);
        status.state().recordFailure("late", "dump");

        String text = registry.scrape();
        assertThat(text).contains("pgbackup_last_backup_size_bytes{database=\"shop\"} 4096.0")
                .contains("pgbackup_backup_successes_total{database=\"shop\"} 1.0")
                .contains("pgbackup_backup_failures_total{database=\"shop\"} 0.0")
                .contains("pgbackup_backup_failures_total{database=\"late\"} 1.0")
                .contains("pgbackup_last_success_timestamp_seconds{database=\"late\"} 0.0")
                .containsPattern("pgbackup_last_backup_duration_seconds\\{database=\"shop\"} 2\\.\\d+")
                .containsPattern("pgbackup_last_success_timestamp_seconds\\{database=\"shop\"} 1\\.\\d+E9");
    }
}
