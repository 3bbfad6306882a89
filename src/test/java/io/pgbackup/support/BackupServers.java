package io.pgbackup.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers an end-to-end test class backs up with, as a JUnit extension: started before the class's
 * {@code @BeforeAll} methods, stopped after its {@code @AfterAll} ones. PostgreSQL (the test JVM's shared server, or
 * one of the class's own when the class must know every database on it) with a login role, an S3 store with one
 * bucket (over HTTP, or over HTTPS on request), and on request a Slack stand-in; or the store alone
 * ({@link #storeOnly}). {@link #pgBackup} (or {@link #store}) gives the launcher the settings that reach them.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final BackupServers SERVERS = BackupServers.onSharedPostgres("verify-it", "verify_user", PASSWORD).withSlack();
 * </pre>
 */
public final class BackupServers implements BeforeAllCallback, AfterAllCallback {

    private final boolean dedicated;
    private final boolean withPostgres;
    private final String bucket;
    private final String role;
    private final String password;
    private boolean withSlack;
    private boolean overHttps;

    private PostgresServer postgres;
    private S3Server s3;
    private WebhookStandIn slack;

    private BackupServers(boolean withPostgres, boolean dedicated, String bucket, String role, String password) {
        this.withPostgres = withPostgres;
        this.dedicated = dedicated;
        this.bucket = bucket;
        this.role = role;
        this.password = password;
    }

    /** On the test JVM's shared PostgreSQL (use database names of the class's own). */
    public static BackupServers onSharedPostgres(String bucket, String role, String password) {
        return new BackupServers(true, false, bucket, role, password);
    }

    /** On a PostgreSQL server of the class's own, stopped after the class. */
    public static BackupServers onDedicatedPostgres(String bucket, String role, String password) {
        return new BackupServers(true, true, bucket, role, password);
    }

    /** The S3 store alone, no PostgreSQL: {@link #store} gives the launcher its settings. */
    public static BackupServers storeOnly(String bucket) {
        return new BackupServers(false, false, bucket, null, null);
    }

    /** The S3 store over HTTPS ({@link S3Server#https()}), as NCP Object Storage is reached. */
    public BackupServers overHttps() {
        overHttps = true;
        return this;
    }

    /** Adds a Slack stand-in; {@link #pgBackup} then sends alerts to it. */
    public BackupServers withSlack() {
        withSlack = true;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        s3 = overHttps ? S3Server.https() : new S3Server();
        s3.createBucket(bucket);
        if (withPostgres) {
            postgres = dedicated ? PostgresServer.dedicated() : PostgresServer.shared();
            postgres.createRole(role, password);
        }
        if (withSlack) {
            slack = new WebhookStandIn();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (slack != null) {
            slack.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (dedicated && postgres != null) {
            postgres.close();
        }
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public S3Server s3() {
        return s3;
    }

    /** The Slack stand-in ({@link #withSlack()}), or null. */
    public WebhookStandIn slack() {
        return slack;
    }

    /**
     * The launcher set to back up {@code databases} (DB_NAME) as the role into the bucket under {@code prefix}, with
     * psql from the test server's binaries, no retries, and alerts to the Slack stand-in when there is one.
     */
    public PgBackupProcess pgBackup(String databases, String prefix) {
        return store(prefix)
                .set("DB_USER", role)
                .set("DB_PASSWORD", password)
                .set("DB_NAME", databases)
                .set("PSQL_PATH", PostgresServer.BIN.resolve("psql").toString())
                .setAll(postgres.clientSettings());
    }

    /**
     * The launcher set to reach the bucket under {@code prefix} ("": none) and nothing else, with no retries and
     * alerts to the Slack stand-in when there is one: for the commands that need only the store (list, prune).
     */
    public PgBackupProcess store(String prefix) {
        PgBackupProcess process = new PgBackupProcess()
                .set("BUCKET_NAME", bucket)
                .set("BACKUP_PREFIX", prefix)
                .set("RETRY_MAX", "0")
                .setAll(s3.clientSettings());
        if (slack != null) {
            process.set("SLACK_WEBHOOK_URL", slack.url());
        }
        return process;
    }
}
