package io.pgbackup.run;

import java.time.Duration;
import java.util.Date;


import org.apache.camel.Exchange;

/** How long the current run has taken, from the start of the exchange's {@link DatabaseRun}. */
public class RunClock {

    public String elapsed(Exchange exchange) {
        return format(elapsedMillis(exchange));
    }

    public static long elapsedMillis(Exchange exchange) {
        Date started = DatabaseRun.of(exchange).startedAt();
        return started == null ? 0 : Math.max(0, System.currentTimeMillis() - started.getTime());
    }

    /** As every duration is shown: {@link Durations#human}. */
    public static String format(long millis) {
        return Durations.human(Duration.ofMillis(millis));
    }
}
