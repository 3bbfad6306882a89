package io.pgbackup;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One backup at a time in this process: a trigger that fires while a backup still runs is skipped (the schedule
 * route logs a warning), never queued or run in parallel.
 */
public class RunLock {

    private final AtomicBoolean running = new AtomicBoolean();

    public boolean tryAcquire() {
        return running.compareAndSet(false, true);
    }

    public void release() {
        running.set(false);
    }
}
