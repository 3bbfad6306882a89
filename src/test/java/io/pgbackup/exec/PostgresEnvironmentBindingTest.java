package io.pgbackup.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.pgbackup.settings.RunEnvironment;

import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * A child's environment is built from the command's environment (the one PgBackup.run was given, bound as
 * {@link RunEnvironment}), never from the JVM's: in-process runs see what they were given.
 */
class PostgresEnvironmentBindingTest {

    @Test
    void theChildInheritsOnlyPathHomeAndLocaleOfTheCommandsEnvironmentNotTheJvms() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind(RunEnvironment.BEAN, new RunEnvironment(Map.of("PATH", "/given/bin",
                    "HOME", "/given/home", "DB_PASSWORD", "not for the child", "AWS_SECRET_ACCESS_KEY", "nor this")));
            context.start();
            PostgresEnvironmentBinding binding = new PostgresEnvironmentBinding();
            binding.setSslMode("prefer");
            binding.setSourceHost("db.example");
            binding.setSourcePort("5432");
            binding.setSourceUser("backup");
            binding.setSourceMaintenanceDatabase("postgres");
            Exchange exchange = new DefaultExchange(context);

            ExecCommand command = binding.readInput(exchange, context.getEndpoint("exec:/bin/true", ExecEndpoint.class));

            Map<String, String> environment = ((CommandWithEnvironment) command).getEnvironment();
            assertThat(environment).containsEntry("PATH", "/given/bin").containsEntry("HOME", "/given/home")
                    .containsEntry("PGHOST", "db.example").doesNotContainKeys("DB_PASSWORD", "AWS_SECRET_ACCESS_KEY")
                    .as("the JVM's own locale is not the command's").doesNotContainKey("LANG");
        }
    }
}
