package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ContinuationKeyTest {

    static final String KEY = "prod/2026/11/28/shop_20261128020000.sql.gz";

    @Test
    void theFirstObjectIsTheBackupsKeyAndTheNextOnesAreNumberedFromTwo() {
        assertThat(ContinuationKey.key(KEY, 1)).isEqualTo(KEY);
        assertThat(ContinuationKey.key(KEY, 2)).isEqualTo(KEY + ".part2");
        assertThat(ContinuationKey.key(KEY, 10_000)).isEqualTo(KEY + ".part10000");
        assertThatThrownBy(() -> ContinuationKey.key(KEY, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aContinuationKeyGivesItsBackupAndNumber() {
        assertThat(ContinuationKey.of(KEY + ".part2")).contains(new ContinuationKey(KEY, 2));
        assertThat(ContinuationKey.of(KEY + ".part17")).contains(new ContinuationKey(KEY, 17));
        assertThat(ContinuationKey.of("2026/11/28/shop_20261128020000.dump.zst.gpg.part3").orElseThrow().backupKey())
                .isEqualTo("2026/11/28/shop_20261128020000.dump.zst.gpg");
        assertThat(ContinuationKey.backupOf(KEY + ".part3")).isEqualTo(KEY);
        assertThat(ContinuationKey.backupOf(KEY)).isEqualTo(KEY);
    }

    @Test
    void nearMissesAreNoContinuations() {
        for (String key : List.of(KEY, KEY + ".part1", KEY + ".part0", KEY + ".part02", KEY + ".partx", KEY + ".part",
                KEY + ".part2.manifest.json", KEY + ".manifest.json.part2", "notes/readme.txt.part2",
                "2026/11/28/shop.part2_20261128020000.sql.gz")) {
            assertThat(ContinuationKey.of(key)).as(key).isEmpty();
        }
    }

    /** A continuation is never taken for a backup of its own; a database named like one is still a backup. */
    @Test
    void aContinuationIsNeverABackupOfItsOwn() {
        assertThat(ObjectListing.isBackup(KEY + ".part2", "prod/", null)).isFalse();
        assertThat(BackupKey.parseListed(KEY + ".part2")).isEmpty();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/shop.part2_20261128020000.sql.gz", "prod/", "shop.part2"))
                .isTrue();
    }
}
