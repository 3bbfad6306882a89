package io.pgbackup;

import java.util.Date;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.Exchange;

/**
 * One backup at a time in this process. A trigger that fires while a backup still runs is skipped (the schedule
 * route logs a warning), never queued or run in parallel: Quartz holds such a fire back until the job ends, so
 * the schedule asks {@link #firedDuringLastRun} whether the fire's scheduled time fell inside the last run.
 */
public class RunLock {

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long lastStart = Long.MIN_VALUE;
    private volatile long lastEnd = Long.MIN_VALUE;

    public boolean tryAcquire() {
        if (running.compareAndSet(false, true)) {
            lastStart = System.currentTimeMillis();
            lastEnd = Long.MAX_VALUE;
            return true;
        }
        return false;
    }

    public void release() {
        lastEnd = System.currentTimeMillis();
        running.set(false);
    }

    /** True when the exchange's scheduledFireTime (Quartz header) fell while the last backup ran here. */
    public boolean firedDuringLastRun(Exchange exchange) {
        Date scheduled = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        if (scheduled == null) {
            return false;
        }
        long t = scheduled.getTime();
        return t >= lastStart && t < lastEnd;
    }
}
