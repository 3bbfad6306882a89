package io.pgbackup;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.quartz.CronExpression;

/**
 * Checks the settings before anything runs, so that a typo stops the app at once with one line naming the
 * setting (environment variable) instead of failing at 2 a.m. Values of secrets are never printed.
 */
public final class SettingsCheck {

    /** A setting that cannot work; the message names the environment variable. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        public InvalidSettingException(String variable, String problem) {
            super("invalid setting " + variable + ": " + problem);
        }
    }

    private final CamelContext context;

    private SettingsCheck(CamelContext context) {
        this.context = context;
    }

    /** Checks what {@code command} needs; throws {@link InvalidSettingException} for the first problem. */
    public static void check(CamelContext context, String command) {
        new SettingsCheck(context).run(command);
    }

    /**
     * The settings camel-main reads itself while it configures (before {@link #check} can run): the management
     * server's port and address, read by every command (only the service opens the port).
     */
    public static void checkEarly(CamelContext context) {
        SettingsCheck check = new SettingsCheck(context);
        check.integer("management.port", "MANAGEMENT_PORT", 1, 65535);
        check.host("management.host", "MANAGEMENT_HOST");
    }

    /** Settings whose values are secrets: an error about them names the setting, never the value. */
    static final Set<String> SECRET_VARIABLES = Set.of("SLACK_WEBHOOK_URL", "SCHEDULER_JDBC_URL", "DB_PASSWORD",
            "VERIFY_DB_PASSWORD", "SECRET_KEY", "OBJECT_STORAGE_SECRET_KEY", "MAIL_SMTP_PASSWORD", "SCHEDULER_JDBC_PASSWORD",
            "DECRYPTION_KEY_PASSPHRASE");

    /** libpq's sslmode values (DB_SSLMODE). */
    static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /**
     * Every setting's value is checked for every command (each command creates every route, and a value that would
     * break one should be named, not met later); what a setting must be <em>present</em> for depends on the command.
     */
    private void run(String command) {
        general();
        values(command);
        boolean backs = Set.of("service", "backup", "check-managed").contains(command);
        boolean needsPassword = backs || "restore".equals(command) || "verify".equals(command);
        required("bucket.name", "BUCKET_NAME");
        if (needsPassword) {
            required("db.name", "DB_NAME");
        }
        if ("restore".equals(command) && (value("db.name").equals("*") || value("db.name").contains(","))) {
            throw new InvalidSettingException("DB_NAME", "restore works on one database, and '" + value("db.name")
                    + "' names several: say which with --database NAME (or name the backup with --key)");
        }
        if (needsPassword && value("db.password").isEmpty()) {
            required("secret.id", "SECRET_ID (or set DB_PASSWORD)");
            if (value("ncp.access.key").isEmpty() || value("ncp.secretKey").isEmpty()) {
                throw new InvalidSettingException("ACCESS_KEY / SECRET_KEY", "both are needed to call Secret Manager");
            }
        }
        if (backs) {
            partSizeFitsTheHeap(Long.parseLong(value("upload.part.size")), Runtime.getRuntime().maxMemory());
            program("pg.dump.path", "PG_DUMP_PATH");
            if ("true".equals(value("backup.globals"))) {
                program("pg.dumpall.path", "PG_DUMPALL_PATH");
            }
        }
        if ("restore".equals(command) || "verify".equals(command) || needsPassword && value("db.name").equals("*")) {
            program("psql.path", "PSQL_PATH");
        }
        if ("check-managed".equals(command) || "service".equals(command) && !value("cloud.db.instance.no").isEmpty()) {
            required("cloud.db.instance.no", "CLOUD_DB_INSTANCE_NO");
            if (value("ncp.access.key").isEmpty() || value("ncp.secretKey").isEmpty()) {
                throw new InvalidSettingException("ACCESS_KEY / SECRET_KEY", "both are needed to call the Cloud DB API");
            }
        }
        if ("service".equals(command)) {
            freePort("management.host", "management.port");
        }
    }

    /** The form of every setting that has a value, whatever the command. */
    private void values(String command) {
        url("object.storage.endpoint", "OBJECT_STORAGE_ENDPOINT");
        url("secret.manager.url", "SECRET_MANAGER_URL");
        url("cloud.db.api.url", "CLOUD_DB_API_URL");
        if (!value("slack.webhook.secret").isEmpty()) {
            url("slack.webhook.secret", "SLACK_WEBHOOK_URL");
        }
        integer("db.port", "DB_PORT", 1, 65535);
        integer("verify.db.port", "VERIFY_DB_PORT", 1, 65535);
        integer("mail.smtp.port", "MAIL_SMTP_PORT", 1, 65535);
        cron("backup.cron", "BACKUP_CRON");
        if (!value("verify.cron").isEmpty()) {
            cron("verify.cron", "VERIFY_CRON");
        }
        cron("managed.backup.check.cron", "MANAGED_BACKUP_CHECK_CRON");
        try {
            io.pgbackup.ncp.ManagedBackupCheck.parseAge(value("managed.backup.max.age"));
        } catch (RuntimeException e) {
            throw new InvalidSettingException("MANAGED_BACKUP_MAX_AGE", "'" + value("managed.backup.max.age")
                    + "' is not a duration (e.g. 26h, 90m, 2d, PT26H)");
        }
        oneOf("backup.compression", "BACKUP_COMPRESSION", Set.of("gzip", "zstd"));
        if (!value("backup.compression.level").isEmpty()) {
            integer("backup.compression.level", "BACKUP_COMPRESSION_LEVEL", 1, "zstd".equals(value("backup.compression")) ? 19 : 9);
        }
        integer("backup.compression.threads", "BACKUP_COMPRESSION_THREADS", 0, 64);
        integer("upload.part.size", "UPLOAD_PART_SIZE", 5 * 1024 * 1024, 1024 * 1024 * 1024);
        integer("backup.progress.interval.seconds", "BACKUP_PROGRESS_INTERVAL_SECONDS", 0, 3600);
        integer("max.shrink.percent", "MAX_SHRINK_PERCENT", 1, 100);
        // restore names one database, which may be the roles backup (@globals): checked above for it
        if (!value("db.name").isEmpty() && !"restore".equals(command)) {
            databaseNames(value("db.name"));
        }
        integer("retry.max", "RETRY_MAX", 0, 100);
        integer("retry.delay.ms", "RETRY_DELAY_MS", 0, 3_600_000);
        oneOf("notify.on", "NOTIFY_ON", Set.of("failure", "always"));
        boolean mailHost = !value("mail.smtp.host").isEmpty();
        boolean mailTo = !value("mail.to").isEmpty();
        if (mailHost != mailTo) {
            throw new InvalidSettingException(mailHost ? "MAIL_TO" : "MAIL_SMTP_HOST",
                    "email notifications need both MAIL_SMTP_HOST and MAIL_TO");
        }
        if (!value("scheduler.jdbc.url").isEmpty() && !value("scheduler.jdbc.url").startsWith("jdbc:postgresql://")) {
            throw new InvalidSettingException("SCHEDULER_JDBC_URL", "is not a jdbc:postgresql:// URL (it starts with '"
                    + value("scheduler.jdbc.url").replaceAll("^([A-Za-z:]{0,20}).*$", "$1") + "'; the rest is not shown:"
                    + " it may hold a password)");
        }
        integer("scheduler.cluster.checkin.ms", "SCHEDULER_CLUSTER_CHECKIN_MS", 500, 600_000);
        integer("scheduler.misfire.threshold.ms", "SCHEDULER_MISFIRE_THRESHOLD_MS", 1000, 86_400_000);
        retentionRule("retention.keep.last", "RETENTION_KEEP_LAST");
        retentionRule("retention.keep.days", "RETENTION_KEEP_DAYS");
        retentionRule("retention.daily", "RETENTION_DAILY");
        retentionRule("retention.weekly", "RETENTION_WEEKLY");
        retentionRule("retention.monthly", "RETENTION_MONTHLY");
        encryptionKeys();
        zone("backup.timezone", "BACKUP_TIMEZONE");
        directory("backup.work.dir", "BACKUP_WORK_DIR");
        // read by the stale check's timer, whose endpoint every command creates (only the service starts it)
        duration("stale.after", "STALE_AFTER", true);
        duration("stale.check.interval", "STALE_CHECK_INTERVAL", false);
    }

    /**
     * What every command reads, whatever it does: timeouts (positive and bounded: 0 would mean "wait forever" to
     * some of them, and a hung Slack would hold the run lock for ever), booleans, the transport settings.
     */
    private void general() {
        integer("notify.timeout.ms", "NOTIFY_TIMEOUT_MS", 100, 600_000);
        integer("secret.manager.timeout.ms", "SECRET_MANAGER_TIMEOUT_MS", 100, 600_000);
        integer("dump.timeout.ms", "DUMP_TIMEOUT_MS", 1000, 7L * 86_400_000);
        integer("restore.timeout.ms", "RESTORE_TIMEOUT_MS", 1000, 7L * 86_400_000);
        // libpq: 0 or less waits for ever, 1 is taken as 2
        integer("db.connect.timeout.seconds", "DB_CONNECT_TIMEOUT_SECONDS", 2, 3600);
        oneOf("mail.smtp.starttls", "MAIL_SMTP_STARTTLS", Set.of("true", "false"));
        oneOf("backup.globals", "BACKUP_GLOBALS", Set.of("true", "false"));
        oneOf("verify.download", "VERIFY_DOWNLOAD", Set.of("true", "false"));
        oneOf("db.sslmode", "DB_SSLMODE", SSL_MODES);
        if (!value("db.sslrootcert").isEmpty()) {
            Path file = Path.of(value("db.sslrootcert"));
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new InvalidSettingException("DB_SSLROOTCERT", "'" + file + "' is not a readable file (the CA certificate"
                        + " of the database server, PEM)");
            }
        }
        required("db.host", "DB_HOST");
        required("db.user", "DB_USER");
        required("db.maintenance.name", "DB_MAINTENANCE_DB");
        required("object.storage.region", "OBJECT_STORAGE_REGION");
    }

    /**
     * The OpenPGP keys, read now: a public key file that cannot encrypt, or a secret key that the passphrase does not
     * unlock, stops the app before any dump starts. Messages name the setting and never hold key material.
     */
    private void encryptionKeys() {
        if (!value("encryption.public.keys").isEmpty()) {
            try {
                io.pgbackup.crypto.OpenPgpKeys.recipients(value("encryption.public.keys"));
            } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
                throw new InvalidSettingException("ENCRYPTION_PUBLIC_KEYS", e.getMessage());
            }
        }
        if (!value("decryption.key.file").isEmpty() && !value("decryption.key.secret.id").isEmpty()) {
            throw new InvalidSettingException("DECRYPTION_KEY_FILE / DECRYPTION_KEY_SECRET_ID", "set one of them, not both");
        }
        if (!value("decryption.key.secret.id").isEmpty()
                && (value("ncp.access.key").isEmpty() || value("ncp.secretKey").isEmpty())) {
            throw new InvalidSettingException("ACCESS_KEY / SECRET_KEY", "both are needed to read DECRYPTION_KEY_SECRET_ID"
                    + " from Secret Manager");
        }
        if (!value("decryption.key.file").isEmpty()) {
            try {
                io.pgbackup.crypto.Encryption.keysFromFile(value("decryption.key.file"), value("decryption.key.passphrase"));
            } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
                throw new InvalidSettingException(e.getMessage().startsWith("the passphrase") ? "DECRYPTION_KEY_PASSPHRASE"
                        : "DECRYPTION_KEY_FILE", e.getMessage());
            }
        }
    }

    /** A client program: a path to an executable file, or a name found on PATH. */
    private void program(String key, String variable) {
        String value = value(key);
        if (value.isEmpty()) {
            throw new InvalidSettingException(variable, "is empty (a program name or path, e.g. /usr/lib/postgresql/16/bin/"
                    + key.replace(".path", "").replace('.', '_') + ")");
        }
        if (value.contains("/")) {
            if (!Files.isRegularFile(Path.of(value)) || !Files.isExecutable(Path.of(value))) {
                throw new InvalidSettingException(variable, "'" + value + "' is not an executable file");
            }
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, value);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
        }
        throw new InvalidSettingException(variable, "'" + value + "' is not found on PATH (give the full path, e.g. "
                + "/usr/lib/postgresql/15/bin/" + value + ")");
    }

    /**
     * 26h, 90m, 2d, 45s or ISO-8601 (PT26H), at least one second. {@code timer} durations are also read by Camel's
     * timer, which must read them the same way.
     */
    private void duration(String key, String variable, boolean anyForm) {
        String value = value(key);
        java.time.Duration parsed;
        try {
            parsed = io.pgbackup.ncp.ManagedBackupCheck.parseAge(value);
            if (!anyForm && org.apache.camel.util.TimeUtils.toDuration(value).compareTo(parsed) != 0) {
                throw new IllegalArgumentException("read differently by the timer");
            }
        } catch (RuntimeException e) {
            throw new InvalidSettingException(variable, "'" + value + "' is not a duration (e.g. 15m, 26h, 2d, 45s, PT26H)");
        }
        if (parsed.toMillis() < 1000) {
            throw new InvalidSettingException(variable, value + " is shorter than one second");
        }
    }

    /** The management server's port must be free: otherwise the service would run with no health endpoint. */
    private void freePort(String hostKey, String portKey) {
        String host = value(hostKey);
        int port = Integer.parseInt(value(portKey));
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            String reason = String.valueOf(e.getMessage());
            // a port in use is the port's fault; an address not on this machine (or unknown) the host's
            throw new InvalidSettingException(reason.contains("in use") ? "MANAGEMENT_PORT" : "MANAGEMENT_HOST",
                    "cannot listen on " + host + ":" + port + " (" + reason + ")");
        }
    }

    private void host(String key, String variable) {
        String value = value(key);
        if (value.isEmpty() || !value.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
            throw new InvalidSettingException(variable, "'" + value + "' is not an address to listen on (e.g. 0.0.0.0, 127.0.0.1)");
        }
    }

    /**
     * Two part buffers are in memory, and the HTTP client may hold a third copy of the part it sends; the rest of the
     * app needs about 64 MiB. A part size the heap cannot hold would end in "Java heap space" mid-backup.
     */
    static void partSizeFitsTheHeap(long partSize, long maxHeap) {
        long needed = 3 * partSize + 64L * 1024 * 1024;
        if (needed > maxHeap) {
            throw new InvalidSettingException("UPLOAD_PART_SIZE", partSize / (1024 * 1024) + " MiB parts need about "
                    + needed / (1024 * 1024) + " MiB of heap, the JVM has " + maxHeap / (1024 * 1024)
                    + " MiB: lower UPLOAD_PART_SIZE or raise -Xmx (PG_BACKUP_JAVA_OPTS)");
        }
    }

    /** DB_NAME: one name, a comma list, or *. */
    private static void databaseNames(String value) {
        if (value.equals("*")) {
            return;
        }
        for (String name : value.split(",", -1)) {
            if (name.isBlank()) {
                throw new InvalidSettingException("DB_NAME", "'" + value + "' has an empty name (a name, a comma list, or *)");
            }
            if (name.strip().equals("*") || name.strip().equals("@globals")) {
                throw new InvalidSettingException("DB_NAME", "'" + name.strip()
                        + "' cannot be part of a list (* alone means every database; use BACKUP_GLOBALS for roles)");
            }
        }
    }

    private String value(String key) {
        return setting(context, key);
    }

    /** A setting's resolved value, trimmed; empty when unset. */
    public static String setting(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + ":}}").trim();
    }

    private void required(String key, String variable) {
        if (value(key).isEmpty()) {
            throw new InvalidSettingException(variable, "is not set");
        }
    }

    private void url(String key, String variable) {
        String value = value(key);
        String shown = SECRET_VARIABLES.contains(variable) ? "its value (not shown: it is a secret)" : "'" + value + "'";
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new InvalidSettingException(variable, shown + " is not an http(s) URL with a host");
            }
        } catch (URISyntaxException e) {
            throw new InvalidSettingException(variable, shown + " is not a URL");
        }
    }

    private void cron(String key, String variable) {
        String value = value(key);
        if (!CronExpression.isValidExpression(value)) {
            throw new InvalidSettingException(variable, "'" + value
                    + "' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week, e.g. '0 0 2 * * ?')");
        }
    }

    private void zone(String key, String variable) {
        String value = value(key);
        try {
            ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new InvalidSettingException(variable, "'" + value + "' is not a known time zone (e.g. Asia/Seoul)");
        }
    }

    private void integer(String key, String variable, long min, long max) {
        String value = value(key);
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(variable, "'" + value + "' is not a whole number");
        }
        if (number < min || number > max) {
            throw new InvalidSettingException(variable, value + " is outside " + min + ".." + max);
        }
    }

    /** 0 (off) or a count; a settings file without the line leaves the rule off. */
    private void retentionRule(String key, String variable) {
        if (!value(key).isEmpty()) {
            integer(key, variable, 0, 1_000_000);
        }
    }

    private void oneOf(String key, String variable, Set<String> allowed) {
        String value = value(key);
        if (!allowed.contains(value)) {
            throw new InvalidSettingException(variable, "'" + value + "' is not one of " + new java.util.TreeSet<>(allowed));
        }
    }

    private void directory(String key, String variable) {
        Path dir = Path.of(value(key));
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new InvalidSettingException(variable, "'" + dir + "' is not a writable folder");
        }
    }
}
