package io.pgbackup.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import io.pgbackup.settings.Setting;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RunReportTest {

    private static DefaultCamelContext contextWith(Properties settings) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(settings);
        return context;
    }

    private static String scrubbed(RunReport report, DefaultCamelContext context, String message) {
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException(message));
        return report.scrubbedException(exchange);
    }

    @Test
    void theSlackWebhookTokenIsMaskedInTheNotifiersOwnErrors() {
        Properties settings = new Properties();
        settings.setProperty("slack.webhook", "https://hooks.slack.com/services/T0AAA/B0BBB/secretToken123");
        DefaultCamelContext context = contextWith(settings);
        RunReport report = new RunReport();
        report.setCamelContext(context);

        String text = scrubbed(report, context,
                "HTTP operation failed invoking https://hooks.slack.com/services/T0AAA/B0BBB/secretToken123 with statusCode: 404");

        assertThat(text).doesNotContain("secretToken123").contains("https://hooks.slack.com******").contains("404");
    }

    @Test
    void everySettingDeclaredSecretIsMaskedWithoutNamingItHere() {
        // each secret setting gets a distinct value; a secret setting added to application.properties is covered too
        Properties settings = new Properties();
        StringBuilder message = new StringBuilder("failed:");
        int n = 0;
        for (Setting setting : SettingsDeclaration.builtIn().all()) {
            if (setting.secret()) {
                String value = "s3cr3t-value-" + (n++) + "-" + setting.variable();
                settings.setProperty(setting.key(), value);
                message.append(' ').append(value);
            }
        }
        assertThat(n).as("secret settings declared").isGreaterThanOrEqualTo(15);
        DefaultCamelContext context = contextWith(settings);
        RunReport report = new RunReport();
        report.setCamelContext(context);

        String text = scrubbed(report, context, message.toString());

        assertThat(text).doesNotContain("s3cr3t-value").contains("failed:");
    }

    @Test
    void theCopyStoresKeyAndTheHeartbeatTokenAreMasked() {
        Properties settings = new Properties();
        settings.setProperty("copy.to.secretKey", "copySecretKey/With+Slash");
        settings.setProperty("heartbeat.url", "https://hc-ping.com/0f6e1c1a-2b3c-4d5e-8f90-aabbccddeeff");
        DefaultCamelContext context = contextWith(settings);
        RunReport report = new RunReport();
        report.setCamelContext(context);

        String text = scrubbed(report, context, "copy store refused copySecretKey/With+Slash; ping to "
                + "/0f6e1c1a-2b3c-4d5e-8f90-aabbccddeeff failed");

        assertThat(text).doesNotContain("copySecretKey").doesNotContain("0f6e1c1a").contains("copy store refused");
    }
}
