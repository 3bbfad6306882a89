package io.pgbackup.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers an end-to-end test class backs up with, as a JUnit extension: started before the class's
 * {@code @BeforeAll} methods, stopped after its {@code @AfterAll} ones. PostgreSQL (the test JVM's shared server, or
 * one of the class's own when the class must know every database on it) with a login role, an S3 store with one
 * bucket (over HTTP, or over HTTPS on request), and on request more buckets, databases (made after the role, each with
 * its seed SQL), a Slack stand-in and a Secret Manager stand-in that serves the role's password; or the store alone
 * ({@link #storeOnly}). {@link #pgBackup} (or {@link #store}, or {@link #connected} without the test defaults) gives
 * the launcher the settings that reach them.
 * <p>
 * Before the class's {@code @BeforeAll} methods it fills the class's own static fields named {@code postgres}
 * ({@link PostgresServer}), {@code s3} ({@link S3Server}), {@code slack} ({@link WebhookStandIn}) and
 * {@code secretManager} ({@link SecretManagerStandIn}) with the servers it started, and {@code workDir} with the work
 * folder ({@link #withWorkDir}), where the class declares them.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final BackupServers SERVERS = BackupServers.onSharedPostgres("verify-it", "verify_user", PASSWORD).withSlack();
 * static PostgresServer postgres;
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
    private String secretId;
    private String workDirPrefix;
    private final List<String> moreBuckets = new ArrayList<>();
    /** Database name to its seed SQL ("": none), made in this order after the role. */
    private final Map<String, String> databases = new LinkedHashMap<>();

    private PostgresServer postgres;
    private S3Server s3;
    private WebhookStandIn slack;
    private SecretManagerStandIn secretManager;
    private Path workDir;

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

    /** Another bucket in the same store (the launcher is set to the first; a test names this one itself). */
    public BackupServers withBucket(String name) {
        moreBuckets.add(name);
        return this;
    }

    /** A database made (after the role) before the class's {@code @BeforeAll} methods, with nothing in it. */
    public BackupServers withDatabase(String name) {
        return withDatabase(name, "");
    }

    /** A database made (after the role) before the class's {@code @BeforeAll} methods, then given {@code seedSql}. */
    public BackupServers withDatabase(String name, String seedSql) {
        databases.put(name, seedSql);
        return this;
    }

    /**
     * A Secret Manager stand-in that serves the role's password as the secret {@code id} (key cdbPassword);
     * {@link #connected} then gives the launcher the secret and the API keys instead of DB_PASSWORD.
     */
    public BackupServers withSecretManager(String id) {
        secretId = id;
        return this;
    }

    /** A work folder of the class's own, named from {@code prefix}, deleted after the class. */
    public BackupServers withWorkDir(String prefix) {
        workDirPrefix = prefix;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (workDirPrefix != null) {
            workDir = Files.createTempDirectory(workDirPrefix);
        }
        s3 = overHttps ? S3Server.https() : new S3Server();
        s3.createBucket(bucket);
        for (String more : moreBuckets) {
            s3.createBucket(more);
        }
        if (withPostgres) {
            postgres = dedicated ? PostgresServer.dedicated() : PostgresServer.shared();
            postgres.createRole(role, password);
            for (Map.Entry<String, String> database : databases.entrySet()) {
                postgres.createDatabase(database.getKey());
                if (!database.getValue().isEmpty()) {
                    postgres.psql(database.getKey(), database.getValue());
                }
            }
        }
        if (withSlack) {
            slack = new WebhookStandIn();
        }
        if (secretId != null) {
            secretManager = new SecretManagerStandIn(secretId, "cdbPassword", password);
        }
        fillFields(context.getRequiredTestClass());
    }

    /** The class's static fields named for a server this started, of its type, set to it. */
    private void fillFields(Class<?> testClass) throws IllegalAccessException {
        Map<String, Object> servers = new HashMap<>();
        servers.put("postgres", postgres);
        servers.put("s3", s3);
        servers.put("slack", slack);
        servers.put("secretManager", secretManager);
        servers.put("workDir", workDir);
        for (Field field : testClass.getDeclaredFields()) {
            Object server = servers.get(field.getName());
            int modifiers = field.getModifiers();
            if (server != null && Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers)
                    && field.getType().isInstance(server)) {
                field.setAccessible(true);
                field.set(null, server);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (workDir != null) {
            PostgresServer.deleteTree(workDir);
        }
        if (secretManager != null) {
            secretManager.close();
        }
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

    /** The Secret Manager stand-in ({@link #withSecretManager}), or null. */
    public SecretManagerStandIn secretManager() {
        return secretManager;
    }

    /**
     * The launcher set to back up {@code databases} (DB_NAME) as the role into the bucket under {@code prefix}, with
     * psql from the test server's binaries, no retries, and alerts to the Slack stand-in when there is one.
     */
    public PgBackupProcess pgBackup(String databases, String prefix) {
        return connected(databases)
                .set("BACKUP_PREFIX", prefix)
                .set("RETRY_MAX", "0")
                .set("PSQL_PATH", PostgresServer.BIN.resolve("psql").toString());
    }

    /**
     * The launcher set to reach the bucket under {@code prefix} ("": none) and nothing else, with no retries and
     * alerts to the Slack stand-in when there is one: for the commands that need only the store (list, prune).
     */
    public PgBackupProcess store(String prefix) {
        return connected().set("BACKUP_PREFIX", prefix).set("RETRY_MAX", "0");
    }

    /**
     * The launcher set to reach the servers and nothing more (no prefix, the default retries and psql): the bucket,
     * {@code databases} (DB_NAME) as the role, with its password or the Secret Manager stand-in's secret, and alerts
     * to the Slack stand-in when there is one.
     */
    public PgBackupProcess connected(String databases) {
        PgBackupProcess process = connected()
                .set("DB_USER", role)
                .set("DB_NAME", databases)
                .setAll(postgres.clientSettings());
        if (secretManager == null) {
            return process.set("DB_PASSWORD", password);
        }
        return process.set("ACCESS_KEY", SecretManagerStandIn.ACCESS_KEY)
                .set("SECRET_KEY", SecretManagerStandIn.SECRET_KEY)
                .set("SECRET_ID", secretId)
                .set("SECRET_MANAGER_URL", secretManager.url());
    }

    /** The launcher set to reach the bucket and nothing more, with alerts to the Slack stand-in when there is one. */
    public PgBackupProcess connected() {
        PgBackupProcess process = new PgBackupProcess()
                .set("BUCKET_NAME", bucket)
                .setAll(s3.clientSettings());
        if (slack != null) {
            process.set("SLACK_WEBHOOK_URL", slack.url());
        }
        return process;
    }
}
