package io.pgbackup.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RunReportTest {

    @Test
    void theSlackWebhookTokenIsMaskedInTheNotifiersOwnErrors() {
        RunReport report = new RunReport();
        report.setSlackWebhookUrl("https://hooks.slack.com/services/T0AAA/B0BBB/secretToken123");
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException(
                "HTTP operation failed invoking https://hooks.slack.com/services/T0AAA/B0BBB/secretToken123 with statusCode: 404"));

        String text = report.scrubbedException(exchange);

        assertThat(text).doesNotContain("secretToken123").contains("https://hooks.slack.com******").contains("404");
    }
}
