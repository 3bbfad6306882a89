package io.pgbackup.support;

/**
 * A backup's key carries its start time to the second, so two backups of one database under one prefix need two
 * different seconds. Instead of a fixed pause of more than a second, wait only for the next whole second.
 */
public final class KeyClock {

    private KeyClock() {
    }

    /**
     * Returns once the wall clock is in a later whole second than at the call (at most a second): a backup started
     * after this gets a later key than every backup that ended before it.
     */
    public static void nextSecond() throws InterruptedException {
        long now = System.currentTimeMillis();
        Thread.sleep(1000 - now % 1000 + 5);
    }
}
