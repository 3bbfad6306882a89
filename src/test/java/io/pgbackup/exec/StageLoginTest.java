package io.pgbackup.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.pgbackup.exec.CommandFailedException;
import io.pgbackup.exec.PostgresEnvironmentBinding;
import io.pgbackup.secret.PasswordStages;
import io.pgbackup.secret.Secret;
import io.pgbackup.secret.SecretManagerException;
import io.pgbackup.secret.SecretValueReader;

import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stage logic of the login check (routes/db-login.yaml runs it against a real server in RotatedPasswordIT). */
@Timeout(30)
class StageLoginTest {

    private static final String ACTIVE = "now-pw-1";
    private static final String PENDING = "next-pw-2";
    private static final String PREVIOUS = "old-pw-3";
    private static final String REFUSED = "psql: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  "
            + "password authentication failed for user \"app\"";

    private final StageLogin login = new StageLogin();

    {
        PostgresEnvironmentBinding servers = new PostgresEnvironmentBinding();
        servers.setSourceHost("db.example");
        servers.setSourcePort("5432");
        servers.setSourceUser("app");
        login.setServers(servers);
    }

    @Test
    void onlyARefusedPasswordMovesOnToTheNextStage() {
        assertThat(StageLogin.isPasswordRefused(psqlFailed(REFUSED))).isTrue();
        assertThat(StageLogin.isPasswordRefused(new RuntimeCamelException(psqlFailed(REFUSED))))
                .as("psql's failure arrives wrapped by Camel's body conversion").isTrue();
        assertThat(StageLogin.isPasswordRefused(psqlFailed("psql: error: ... failed: FATAL:  28P01 ..."))).isTrue();

        assertThat(StageLogin.isPasswordRefused(psqlFailed("psql: error: connection to server at \"127.0.0.1\", port 5432"
                + " failed: FATAL:  database \"nope\" does not exist"))).isFalse();
        assertThat(StageLogin.isPasswordRefused(psqlFailed("psql: error: connection to server at \"127.0.0.1\", port 9"
                + " failed: Connection refused"))).isFalse();
        assertThat(StageLogin.isPasswordRefused(new IllegalStateException("password authentication failed")))
                .as("only the server's answer through a PostgreSQL client counts").isFalse();
    }

    @Test
    void anyOtherFailureOfTheLoginGoesOnUpAsItCame() {
        Exchange exchange = exchangeWith(ACTIVE, PENDING, PREVIOUS);
        login.tryNext(exchange);
        CommandFailedException missing = psqlFailed("psql: error: ... failed: FATAL:  database \"nope\" does not exist");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, missing);

        assertThatThrownBy(() -> login.refusedOrRethrow(exchange)).isSameAs(missing);
        assertThat(exchange.getProperty(PasswordStages.PROPERTY, PasswordStages.class).refusal()).isEmpty();
    }

    @Test
    void eachTryHandsTheNextStagesValueToTheClients() {
        Exchange exchange = exchangeWith(ACTIVE, PENDING, PREVIOUS);

        login.tryNext(exchange);
        assertThat(password(exchange)).isEqualTo(ACTIVE);
        refuse(exchange);
        login.tryNext(exchange);
        assertThat(password(exchange)).isEqualTo(PENDING);
        login.accepted(exchange);

        assertThat(login.untried(exchange)).isFalse();
    }

    @Test
    void pendingAcceptedIsARotationUnderWayAlertedOnceARun() {
        Exchange exchange = exchangeWith(ACTIVE, PENDING, PREVIOUS);
        login.startRun(exchange);
        walk(exchange, 2);

        login.outcome(exchange);

        String alert = exchange.getProperty("alert", String.class);
        assertThat(alert).contains("rotation under way").contains("refused the active value").contains("accepted the pending")
                .contains("sec-r").contains("app@db.example:5432");
        assertThat(exchange.getProperty("alertAction", String.class)).contains("goes on with the pending value");
        assertThat(exchange.getProperty(StageLogin.NOTED, Boolean.class)).isTrue();
        assertThat(exchange.getProperty(StageLogin.ALERT_DUE, Boolean.class)).isTrue();
        assertThat(alert + exchange.getProperty("alertAction")).doesNotContain(ACTIVE, PENDING, PREVIOUS);

        // the next database of the same run: logged, not alerted again
        Exchange next = exchangeWith(ACTIVE, PENDING, PREVIOUS);
        next.setProperty(StageLogin.ALERTED, exchange.getProperty(StageLogin.ALERTED));
        walk(next, 2);
        login.outcome(next);
        assertThat(next.getProperty(StageLogin.NOTED, Boolean.class)).isTrue();
        assertThat(next.getProperty(StageLogin.ALERT_DUE, Boolean.class)).isFalse();
    }

    @Test
    void previousAcceptedIsARotationStuck() {
        Exchange exchange = exchangeWith(ACTIVE, PENDING, PREVIOUS);
        exchange.setProperty("runKind", "verify");
        walk(exchange, 3);

        login.outcome(exchange);

        assertThat(exchange.getProperty("alert", String.class)).contains("rotation stuck or not finished")
                .contains("refused the active and pending value").contains("accepted the previous");
        assertThat(exchange.getProperty("alertAction", String.class)).startsWith("the test restore goes on with the previous");
    }

    @Test
    void activeAcceptedIsQuiet() {
        Exchange exchange = exchangeWith(ACTIVE, PENDING, PREVIOUS);
        walk(exchange, 1);

        login.outcome(exchange);

        assertThat(exchange.getProperty(StageLogin.NOTED, Boolean.class)).isFalse();
        assertThat(exchange.getProperty("alert")).isNull();
    }

    @Test
    void noStageAcceptedIsAFailureNamingTheStagesTriedNotTheirValues() {
        Exchange exchange = exchangeWith(ACTIVE, null, PREVIOUS);
        while (login.untried(exchange)) {
            login.tryNext(exchange);
            refuse(exchange);
        }

        assertThatThrownBy(() -> login.outcome(exchange))
                .isInstanceOf(SecretManagerException.class)
                .hasMessageContaining("refused every stage").hasMessageContaining("(tried active, previous)")
                .hasMessageContaining("password authentication failed for user \"app\"")
                .hasMessageNotContaining(ACTIVE).hasMessageNotContaining(PREVIOUS);
    }

    @Test
    void aPasswordWithoutOtherStagesIsNotChecked() {
        assertThat(login.hasAlternatives(exchangeWith(ACTIVE, ACTIVE, null))).isFalse();
        assertThat(login.hasAlternatives(new DefaultExchange(new DefaultCamelContext()))).isFalse();
        assertThat(login.hasAlternatives(exchangeWith(ACTIVE, null, PREVIOUS))).isTrue();
    }

    /** Tries {@code n} stages: all refused but the last, which is accepted. */
    private void walk(Exchange exchange, int n) {
        for (int i = 1; i <= n; i++) {
            login.tryNext(exchange);
            if (i < n) {
                refuse(exchange);
            } else {
                login.accepted(exchange);
            }
        }
    }

    private void refuse(Exchange exchange) {
        try {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, psqlFailed(REFUSED));
            login.refusedOrRethrow(exchange);
        } catch (Exception e) {
            throw new AssertionError("a refused password is no failure of the check", e);
        }
    }

    private static String password(Exchange exchange) {
        return exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class).reveal();
    }

    private static CommandFailedException psqlFailed(String stderr) {
        return new CommandFailedException("psql", "exited with code 2", stderr, null);
    }

    private static Exchange exchangeWith(String active, String pending, String previous) {
        Map<String, String> values = new java.util.HashMap<>();
        values.put("active", active);
        if (pending != null) {
            values.put("pending", pending);
        }
        if (previous != null) {
            values.put("previous", previous);
        }
        PasswordStages stages = PasswordStages.of("sec-r", values);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(PasswordStages.PROPERTY, stages);
        exchange.setProperty(SecretValueReader.PASSWORD_PROPERTY, stages.active());
        return exchange;
    }
}
