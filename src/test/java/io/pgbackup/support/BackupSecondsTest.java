package io.pgbackup.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackupSecondsTest {

    private static final Map<String, String> SHOP = Map.of("BUCKET_NAME", "b", "BACKUP_PREFIX", "p/", "DB_NAME",
            "shop, orders");

    @Test
    void aBackupOfTheSameDatabaseBucketAndPrefixWaitsForTheNextSecond() throws Exception {
        BackupSeconds seconds = new BackupSeconds();
        long endedIn = System.currentTimeMillis() / 1000;
        seconds.ended(BackupSeconds.targets(new String[] {"backup"}, SHOP));

        seconds.waitForAFreeSecond(BackupSeconds.targets(new String[] {"backup"}, Map.of("BUCKET_NAME", "b",
                "BACKUP_PREFIX", "p/", "DB_NAME", "orders")));

        assertThat(System.currentTimeMillis() / 1000).isGreaterThan(endedIn);
    }

    @Test
    void backupsThatCannotShareAKeyDoNotWait() throws Exception {
        BackupSeconds seconds = new BackupSeconds();
        List<BackupSeconds.Target> shop = BackupSeconds.targets(new String[] {"backup"}, SHOP);
        seconds.ended(shop);

        long start = System.nanoTime();
        seconds.waitForAFreeSecond(BackupSeconds.targets(new String[] {"backup"}, Map.of("BUCKET_NAME", "b",
                "BACKUP_PREFIX", "p/", "DB_NAME", "other")));
        seconds.waitForAFreeSecond(BackupSeconds.targets(new String[] {"backup"}, Map.of("BUCKET_NAME", "b",
                "BACKUP_PREFIX", "q/", "DB_NAME", "shop")));

        assertThat(System.nanoTime() - start).as("no wait").isLessThan(200_000_000L);
    }

    @Test
    void aRunWhoseTargetsAreUnknownMeetsEveryOther() {
        BackupSeconds.Target any = BackupSeconds.targets(new String[] {"--config", "f", "backup"}, SHOP).get(0);
        List<BackupSeconds.Target> shop = BackupSeconds.targets(new String[] {"backup"}, SHOP);

        assertThat(shop).extracting(BackupSeconds.Target::database).containsExactly("shop", "orders");
        assertThat(shop).allMatch(any::meets).allMatch(t -> t.meets(any));
        assertThat(BackupSeconds.targets(new String[] {"backup"}, Map.of("DB_NAME", "*")).get(0).meets(shop.get(0)))
                .isTrue();
        assertThat(BackupSeconds.targets(new String[] {"backup"}, Map.of("DB_NAME", "a", "BACKUP_GLOBALS", "true"))
                .get(0).meets(shop.get(1))).as("the roles backup").isTrue();
    }
}
