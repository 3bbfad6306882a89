package io.pgbackup.exec;

import java.util.LinkedHashMap;
import java.util.Map;

import io.pgbackup.secret.Secret;
import io.pgbackup.secret.SecretValueReader;

import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.impl.DefaultExecBinding;

/**
 * Exec binding that hands the database password to pg_dump / psql through the child's environment
 * ({@code PGPASSWORD}), never through its argv, and names the application to the server.
 */
public class PostgresEnvironmentBinding extends DefaultExecBinding {

    private int connectTimeoutSeconds = 30;

    @Override
    public ExecCommand readInput(Exchange exchange, ExecEndpoint endpoint) {
        ExecCommand command = super.readInput(exchange, endpoint);
        Map<String, String> environment = new LinkedHashMap<>();
        Secret password = exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class);
        if (password != null && !password.isEmpty()) {
            environment.put("PGPASSWORD", password.reveal());
        }
        environment.put("PGAPPNAME", "pg-backup");
        environment.put("PGCONNECT_TIMEOUT", Integer.toString(connectTimeoutSeconds));
        return new CommandWithEnvironment(command, environment);
    }

    public void setConnectTimeoutSeconds(int connectTimeoutSeconds) {
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }
}
