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
    private volatile long lastFire = Long.MIN_VALUE;
    private volatile long lastEnd = Long.MIN_VALUE;

    public boolean tryAcquire() {
        if (running.compareAndSet(false, true)) {
            lastEnd = Long.MAX_VALUE;
            return true;
        }
        return false;
    }

    public void release() {
        lastEnd = System.currentTimeMillis();
        running.set(false);
    }

    /**
     * True when the exchange's scheduledFireTime (Quartz header) is later than the fire of the last scheduled run
     * here and earlier than that run's end: Quartz held it back while the run went on. Otherwise the fire is
     * remembered as the last one.
     */
    public synchronized boolean firedDuringLastRun(Exchange exchange) {
        Date scheduled = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        if (scheduled == null) {
            return false;
        }
        long t = scheduled.getTime();
        if (t > lastFire && t < lastEnd) {
            return true;
        }
        lastFire = t;
        return false;
    }
}
