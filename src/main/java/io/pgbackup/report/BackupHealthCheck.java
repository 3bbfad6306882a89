package io.pgbackup.report;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The backups in /observe/health: DOWN when a database's last backup failed, it has had no good backup within
 * STALE_AFTER, or its last test restore failed (see {@link BackupState#health}). A readiness check only: a failed
 * backup is no reason to restart the service, so /observe/health/live leaves it out.
 */
public class BackupHealthCheck extends AbstractHealthCheck {

    private BackupStatus status;

    public BackupHealthCheck() {
        super("pg-backup", "backups");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (status == null) {
            builder.unknown().message("no backup status configured");
            return;
        }
        BackupState.Health health = status.state().health();
        builder.details(health.details());
        builder.message(health.message());
        if (health.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }

    public void setStatus(BackupStatus status) {
        this.status = status;
    }
}
