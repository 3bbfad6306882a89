package io.pgbackup.report;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgbackup.exec.CommandFailedException;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.Failures;
import io.pgbackup.run.RunClock;
import io.pgbackup.run.RunProperties;
import io.pgbackup.secret.PasswordStages;
import io.pgbackup.secret.Secret;
import io.pgbackup.secret.SecretValueReader;
import io.pgbackup.settings.Setting;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;

/**
 * The outcome of one backup run, for the log line and the notifications: database, stage, cause, start time,
 * duration and host on failure; key, size and duration on success. Every text it produces is scrubbed of the
 * run's secrets (the database password and the configured keys) as a last line of defence.
 */
public class RunReport implements CamelContextAware {

    public static final String FAILED_STAGE = "failedStage";
    /** For outcome ALERT (not a backup run): the one-line alert and what pg-backup did about it. */
    public static final String ALERT = "alert";
    public static final String ALERT_ACTION = "alertAction";
    /** "restore" for a restore run (the others tell themselves apart by their outcome). */
    public static final String RUN_KIND = "runKind";

    private static final ObjectMapper JSON = new ObjectMapper();

    private String timezone;
    private String host;
    private String bucket = "";
    private CamelContext context;
    private final List<String> secrets = new ArrayList<>();

    /** Called by the dead-letter route: records stage and cause on the exchange. */
    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setProperty(RunProperties.OUTCOME, "FAILED");
        exchange.setProperty(FAILED_STAGE, stageOf(exchange, failure));
        // a backup in an archive storage class: one plain line, not the store's error
        String archived = io.pgbackup.storage.ArchivedObject.explain(failure, bucket, DatabaseRun.of(exchange).key());
        String cause = archived != null ? archived : Failures.oneLine(failure);
        if (isRestore(exchange) && MISSING_ROLE.matcher(cause).find()) {
            cause += " (the server lacks a role of the source: restore with --no-owner --no-privileges, or restore the"
                    + " roles first: pg-backup restore --database @globals)";
        }
        exchange.setProperty(RunProperties.FAILURE_CAUSE, scrub(exchange, cause));
    }

    private static final java.util.regex.Pattern MISSING_ROLE = java.util.regex.Pattern.compile("role \"[^\"]*\" does not exist");

    public void succeeded(Exchange exchange) {
        exchange.setProperty(RunProperties.OUTCOME, "SUCCESS");
    }

    /**
     * The stage a failure belongs to: the route group it happened in ({@link FailedStage}), except that a failed
     * pg_dump (or pg_dumpall) is "dump" even when it surfaces while the upload reads the stream.
     */
    static String stageOf(Exchange exchange, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CommandFailedException command && !command.getCommand().contains("psql")) {
                return "dump";
            }
            if (t instanceof io.pgbackup.dump.IncompleteDumpException) {
                return "dump";
            }
        }
        String stage = FailedStage.of(exchange, failure);
        // a failure outside every stage route: the run's own step (RunProperties.STAGE: list-databases, backup, ...)
        return stage != null ? stage : exchange.getProperty(RunProperties.STAGE, "startup", String.class);
    }

    /** The database a failure line names (failures.yaml): the database's run, else the databases asked for. */
    public String database(Exchange exchange) {
        return DatabaseRun.databaseOr(exchange, "");
    }

    public String subject(Exchange exchange) {
        if (isAlert(exchange)) {
            return scrub(exchange, "[pg-backup] ALERT: " + exchange.getProperty(ALERT, "", String.class) + " (" + host + ")");
        }
        String database = DatabaseRun.databaseOr(exchange, "?");
        if (isRestore(exchange)) {
            String into = database + " into " + DatabaseRun.of(exchange).targetOr("?");
            return scrub(exchange, isFailed(exchange)
                    ? "[pg-backup] restore FAILED: " + into + " (" + exchange.getProperty(FAILED_STAGE) + ") on " + host
                    : "[pg-backup] RESTORED: " + into + " (" + DatabaseRun.of(exchange).summary() + ")");
        }
        if (isVerified(exchange)) {
            return "[pg-backup] VERIFIED: " + database + " restores (" + DatabaseRun.of(exchange).summary() + ")";
        }
        if (isFailed(exchange)) {
            return scrub(exchange, "[pg-backup] FAILED: " + database + " (" + exchange.getProperty(FAILED_STAGE) + ") on " + host);
        }
        return "[pg-backup] OK: " + database + " stored, " + size(exchange) + " in " + RunClock.format(RunClock.elapsedMillis(exchange));
    }

    /** Plain text, one fact a line. */
    public String text(Exchange exchange) {
        if (isAlert(exchange)) {
            return scrub(exchange, "pg-backup: " + exchange.getProperty(ALERT, "", String.class) + "\naction:   "
                    + exchange.getProperty(ALERT_ACTION, "", String.class) + "\nhost:     " + host);
        }
        Map<String, String> facts = facts(exchange);
        boolean verify = isVerified(exchange) || Boolean.TRUE.equals(exchange.getProperty("verifyFailed", Boolean.class));
        String kind = isRestore(exchange) ? "restore" : verify ? "test restore" : "backup";
        String done = isRestore(exchange) ? "restored" : verify ? "test restore OK" : "backup stored";
        StringBuilder text = new StringBuilder(isFailed(exchange) ? "pg-backup: " + kind + " FAILED" : "pg-backup: " + done);
        facts.forEach((k, v) -> text.append('\n').append(String.format("%-9s %s", k + ":", v)));
        return scrub(exchange, text.toString());
    }

    /** A Slack incoming-webhook message: {"text": "..."} with the summary as its first line. */
    public String slackPayload(Exchange exchange) throws JsonProcessingException {
        String icon = isFailed(exchange) || isAlert(exchange) ? ":rotating_light: " : ":white_check_mark: ";
        Map<String, String> message = new LinkedHashMap<>();
        message.put("text", icon + "*" + subject(exchange) + "*\n```" + text(exchange) + "```");
        return JSON.writeValueAsString(message);
    }

    Map<String, String> facts(Exchange exchange) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("database", DatabaseRun.databaseOr(exchange, "?"));
        if (isRestore(exchange)) {
            facts.put("target", DatabaseRun.of(exchange).targetOr("?"));
        }
        if (isFailed(exchange)) {
            facts.put("stage", String.valueOf(exchange.getProperty(FAILED_STAGE)));
            facts.put("cause", String.valueOf(exchange.getProperty(RunProperties.FAILURE_CAUSE)));
            if (DatabaseRun.of(exchange).key() != null) {
                facts.put("key", bucket + "/" + DatabaseRun.of(exchange).keyOr(""));
            }
        } else if (isVerified(exchange) || isRestore(exchange)) {
            facts.put("key", bucket + "/" + DatabaseRun.of(exchange).keyOr(""));
            facts.put("result", String.valueOf(DatabaseRun.of(exchange).summary()));
        } else {
            facts.put("key", bucket + "/" + DatabaseRun.of(exchange).keyOr(""));
            facts.put("size", size(exchange));
        }
        Date started = DatabaseRun.of(exchange).startedAt();
        facts.put("started", started == null ? "?"
                : DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").format(started.toInstant().atZone(zone())));
        facts.put("duration", RunClock.format(RunClock.elapsedMillis(exchange)));
        facts.put("host", host);
        return facts;
    }

    private static boolean isRestore(Exchange exchange) {
        return "restore".equals(exchange.getProperty(RUN_KIND));
    }

    private static boolean isAlert(Exchange exchange) {
        return "ALERT".equals(exchange.getProperty(RunProperties.OUTCOME));
    }

    private static boolean isVerified(Exchange exchange) {
        return "VERIFIED".equals(exchange.getProperty(RunProperties.OUTCOME));
    }

    private static boolean isFailed(Exchange exchange) {
        return "FAILED".equals(exchange.getProperty(RunProperties.OUTCOME));
    }

    private static String size(Exchange exchange) {
        Long bytes = DatabaseRun.of(exchange).compressedBytes();
        Long raw = DatabaseRun.of(exchange).rawBytes();
        if (bytes == null) {
            return "?";
        }
        return bytes + " bytes" + (raw == null ? "" : " (dump " + raw + " bytes)");
    }

    /** Replaces every known secret value with a mask. */
    String scrub(Exchange exchange, String text) {
        String result = text;
        Secret password = exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class);
        if (password != null && !password.isEmpty()) {
            result = result.replace(password.reveal(), password.toString());
        }
        PasswordStages stages = exchange.getProperty(PasswordStages.PROPERTY, PasswordStages.class);
        if (stages != null) {
            result = stages.mask(result);
        }
        for (String secret : secrets) {
            result = result.replace(secret, "******");
        }
        return result;
    }

    /** This machine's name; when it does not resolve, HOSTNAME of the command's environment. */
    private static String hostName(CamelContext context) {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return io.pgbackup.settings.RunEnvironment.of(context).getOrDefault("HOSTNAME", "unknown-host");
        }
    }

    /** The zone of BACKUP_TIMEZONE; an unknown one is reported by the settings check, so UTC is only a fallback. */
    private ZoneId zone() {
        try {
            return ZoneId.of(timezone);
        } catch (java.time.DateTimeException e) {
            return ZoneId.of("UTC");
        }
    }

    public void setTimezone(String timezone) {
        this.timezone = timezone;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    /**
     * Masks the value of every setting application.properties declares {@code secret} (keys, passwords, passphrases,
     * the webhook and heartbeat URLs, the scheduler's JDBC URL), so a secret setting added later is masked without a
     * line here. A URL's path is masked too: it is the token (a Slack webhook, a healthchecks check, a Kuma push).
     */
    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
        this.host = hostName(context);
        for (Setting setting : SettingsDeclaration.builtIn().all()) {
            if (setting.secret()) {
                addSecret(context.resolvePropertyPlaceholders("{{" + setting.key() + ":}}"));
            }
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    /** A secret value; an URL's path too (its token), which an error may show without the rest of the URL. */
    void addSecret(String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        String text = value.strip();
        if (text.startsWith("http://") || text.startsWith("https://")) {
            try {
                // the host stays readable (which service failed); the path and query hold the token
                java.net.URI url = java.net.URI.create(text);
                if (url.getRawPath() != null && url.getRawPath().length() > 1) {
                    addMasked(url.getRawPath());
                    if (url.getRawQuery() != null) {
                        addMasked(url.getRawQuery());
                    }
                    return;
                }
            } catch (IllegalArgumentException e) {
                // not a URI: the whole value is masked below
            }
        }
        addMasked(text);
    }

    /** The message of the exception being handled, with every secret masked (for the notifiers' own failures). */
    public String scrubbedException(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return scrub(exchange, caught == null ? "unknown error" : Failures.oneLine(caught));
    }

    private void addMasked(String value) {
        if (value.length() >= 4 && !secrets.contains(value)) {
            secrets.add(value);
            // longest first: a secret that holds another is masked whole
            secrets.sort(java.util.Comparator.comparingInt(String::length).reversed());
        }
    }

    @Override
    public String toString() {
        return "RunReport[" + secrets.size() + " secrets masked]";
    }
}
