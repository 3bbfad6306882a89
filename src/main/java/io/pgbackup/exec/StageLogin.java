package io.pgbackup.exec;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pgbackup.exec.CommandFailedException;
import io.pgbackup.exec.PostgresEnvironmentBinding;
import io.pgbackup.run.RunProperties;
import io.pgbackup.secret.PasswordStages;
import io.pgbackup.secret.SecretManagerException;
import io.pgbackup.secret.SecretValueReader;

import org.apache.camel.Exchange;

/**
 * The login check of routes/db-login.yaml: which stage of a Secret Manager password ({@link PasswordStages}) the
 * database accepts. During a rotation the database may have the pending value already, or still the previous one;
 * the check tries the active value first, then pending, then previous, and goes on to the next only when PostgreSQL
 * refused the password (SQLSTATE 28P01, "password authentication failed"): any other failure (no such database, a
 * server that cannot be reached) is the check's failure, reported as it would be without it. The value accepted is
 * the one every later step uses. Log lines, alerts and failures name stages, never values.
 */
public class StageLogin {

    /** Exchange property: the (stage, server) pairs alerted in this run, so a run of many databases alerts once. */
    static final String ALERTED = "passwordStageAlerted";
    /** Exchange property: true when a stage other than active was accepted (told in {@code alert} / {@code alertAction}). */
    static final String NOTED = "passwordStageNoted";
    /** Exchange property: true when that is the first time in this run, so the alert is sent. */
    static final String ALERT_DUE = "passwordStageAlertDue";

    private static final Pattern REFUSED = Pattern.compile("password authentication failed|\\b28P01\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SERVER_WORDS = Pattern.compile("password authentication failed[^|]*",
            Pattern.CASE_INSENSITIVE);

    private PostgresEnvironmentBinding servers;

    /** A run of several databases starts: its alerts are told once (databases.yaml). */
    public void startRun(Exchange exchange) {
        exchange.setProperty(ALERTED, ConcurrentHashMap.<String>newKeySet());
    }

    /** True when the password came from Secret Manager with another value than the active one to try. */
    public boolean hasAlternatives(Exchange exchange) {
        PasswordStages stages = stages(exchange);
        return stages != null && stages.hasAlternatives();
    }

    /** A login check starts (a retry of a failed one too): from the active value on. */
    public void restart(Exchange exchange) {
        stages(exchange).restart();
        exchange.setProperty(SecretValueReader.PASSWORD_PROPERTY, stages(exchange).active());
    }

    /** The loop condition: no stage accepted yet, and one left to try. */
    public boolean untried(Exchange exchange) {
        return stages(exchange).untried();
    }

    /** The next stage's value becomes the password the PostgreSQL clients get. */
    public void tryNext(Exchange exchange) {
        exchange.setProperty(SecretValueReader.PASSWORD_PROPERTY, stages(exchange).tryNext().value());
    }

    public void accepted(Exchange exchange) {
        stages(exchange).acceptLast();
    }

    /**
     * The failure being handled (a psql login): PostgreSQL refused the password, so the stage is marked refused and
     * the next one is tried; any other failure is thrown again as it came, and no other stage is tried.
     */
    public void refusedOrRethrow(Exchange exchange) throws Exception {
        Throwable failure = caught(exchange);
        if (!isPasswordRefused(failure)) {
            if (failure instanceof Exception e) {
                throw e;
            }
            throw new IllegalStateException(failure);
        }
        stages(exchange).refuseLast(serverSaid(failure));
    }

    /** True for a psql / pg_dump failure whose server message is a refused password (28P01). */
    public static boolean isPasswordRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CommandFailedException command) {
                return REFUSED.matcher(command.getStderrTail()).find();
            }
        }
        return false;
    }

    /**
     * After the tries: the active value accepted is the quiet case; pending or previous is logged and alerted (once a
     * run); none is a failure naming the stages tried.
     */
    public void outcome(Exchange exchange) {
        PasswordStages stages = stages(exchange);
        String accepted = stages.acceptedName();
        String server = server(exchange);
        if (accepted == null) {
            throw new SecretManagerException("PostgreSQL " + server + " refused every stage of the password in Secret"
                    + " Manager secret " + stages.secretId() + " (tried " + String.join(", ", stages.tried()) + "): "
                    + stages.refusal());
        }
        exchange.setProperty(NOTED, !"active".equals(accepted));
        exchange.setProperty(ALERT_DUE, false);
        if ("active".equals(accepted)) {
            return;
        }
        String refused = String.join(" and ", stages.tried().subList(0, stages.tried().size() - 1));
        String what = "pending".equals(accepted) ? "password rotation under way" : "password rotation stuck or not finished";
        exchange.setProperty("alert", what + ": PostgreSQL " + server + " refused the " + refused + " value of Secret"
                + " Manager secret " + stages.secretId() + " and accepted the " + accepted + " one");
        exchange.setProperty("alertAction", "the " + runKind(exchange) + " goes on with the " + accepted + " value; "
                + ("pending".equals(accepted)
                        ? "finish the rotation in Secret Manager (the value the database has becomes the active one)"
                        : "finish the rotation (give the database the active value) or roll the secret back"));
        Set<?> alerted = exchange.getProperty(ALERTED, Set.class);
        @SuppressWarnings("unchecked")
        boolean first = alerted == null || ((Set<String>) alerted).add(stages.secretId() + "/" + accepted + "/" + server);
        exchange.setProperty(ALERT_DUE, first);
    }

    private String server(Exchange exchange) {
        PostgresEnvironmentBinding.Server server = servers.server(
                exchange.getProperty(RunProperties.PG_SERVER, "source", String.class));
        return server.user() + "@" + server.host() + ":" + server.port();
    }

    private static String runKind(Exchange exchange) {
        String kind = exchange.getProperty("runKind", "", String.class);
        return "verify".equals(kind) ? "test restore" : "restore".equals(kind) ? "restore" : "backup";
    }

    /** The server's own words for a refused password, e.g. {@code password authentication failed for user "app"}. */
    static String serverSaid(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CommandFailedException command) {
                Matcher words = SERVER_WORDS.matcher(command.getStderrTail());
                return words.find() ? words.group().strip() : "password authentication failed";
            }
        }
        return "password authentication failed";
    }

    private static Throwable caught(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private static PasswordStages stages(Exchange exchange) {
        return exchange.getProperty(PasswordStages.PROPERTY, PasswordStages.class);
    }

    public void setServers(PostgresEnvironmentBinding servers) {
        this.servers = servers;
    }

    @Override
    public String toString() {
        return "StageLogin";
    }
}
