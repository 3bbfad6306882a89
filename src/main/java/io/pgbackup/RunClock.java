package io.pgbackup;

import java.time.Duration;
import java.util.Date;

import org.apache.camel.Exchange;

/** How long the current run has taken, from the exchange property {@value #STARTED_AT} that the routes set. */
public class RunClock {

    public static final String STARTED_AT = "startedAt";

    public String elapsed(Exchange exchange) {
        return format(elapsedMillis(exchange));
    }

    public static long elapsedMillis(Exchange exchange) {
        Date started = exchange.getProperty(STARTED_AT, Date.class);
        return started == null ? 0 : Math.max(0, System.currentTimeMillis() - started.getTime());
    }

    public static String format(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toMinutes() >= 1) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        return String.format("%.1fs", millis / 1000.0);
    }
}
