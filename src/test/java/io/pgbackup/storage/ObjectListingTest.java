package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.List;

import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.s3.model.S3Object;

class ObjectListingTest {

    @Test
    void onlyKeysOfTheNamingPatternUnderThePrefixAreBackups() {
        assertThat(ObjectListing.isBackup("2026/11/28/shop_20261128020000.sql.gz", "", "shop")).isTrue();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/shop_20261128020000.sql.gz", "prod/", "shop")).isTrue();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/shop_20261128020000.sql.gz", "prod/", null)).isTrue();
        assertThat(ObjectListing.isBackup("2026/11/28/shop_20261128020000.sql.gz", "prod/", "shop")).isFalse();
        assertThat(ObjectListing.isBackup("2026/11/28/shop_20261128020000.sql.gz", "", "shop2")).isFalse();
        assertThat(ObjectListing.isBackup("2026/11/28/my_shop_20261128020000.sql.gz", "", "my_shop")).isTrue();
        assertThat(ObjectListing.isBackup("2026/11/28/shop_2026112802.sql.gz", "", "shop")).isFalse();
        assertThat(ObjectListing.isBackup("notes/readme.txt", "", null)).isFalse();
    }

    @Test
    void zstdBackupsAndTheGlobalsPseudoDatabaseAreBackups() {
        assertThat(ObjectListing.isBackup("2026/11/28/shop_20261128020000.sql.zst", "", "shop")).isTrue();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/@globals_20261128020000.sql.gz", "prod/", "@globals")).isTrue();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/@globals_20261128020000.sql.zst", "prod/", null)).isTrue();
        assertThat(ObjectListing.isBackup("prod/2026/11/28/@globals_20261128020000.sql.zst", "prod/", "shop")).isFalse();
        assertThat(ObjectListing.isBackup("2026/11/28/상점 shop_20261128020000.sql.gz", "", "상점 shop")).isTrue();
    }

    @Test
    void manifestsAndOtherNearMissesAreNotBackups() {
        for (String key : List.of(
                "2026/11/28/shop_20261128020000.sql.gz.manifest.json",
                "2026/11/28/shop_20261128020000.sql.zst.manifest.json",
                "2026/11/28/shop_20261128020000.sql",
                "2026/11/28/shop_20261128020000.sql.bz2",
                "2026/11/28/shop_20261128020000.sql.gz.tmp",
                "2026/11/28/shop_20261128020000.dump",
                "2026/11/28/_20261128020000.sql.gz",
                "2026/11/28/shop20261128020000.sql.gz",
                "extra/2026/11/28/shop_20261128020000.sql.gz",
                "2026/11/29/shop_20261128020000.sql.gz",   // folder date is not the timestamp's date
                "2026/02/30/shop_20260230020000.sql.gz",   // no such day
                "2026/11/28/shop_20261128250000.sql.gz")) { // no such hour
            assertThat(ObjectListing.isBackup(key, "", null)).as(key).isFalse();
        }
    }

    @Test
    void aBackupKeyGivesDatabaseTimeAndManifest() {
        BackupKey backup = BackupKey.parse("prod/2026/11/28/@globals_20261128023059.sql.zst", "prod/").orElseThrow();

        assertThat(backup.database()).isEqualTo("@globals");
        assertThat(backup.time()).isEqualTo(LocalDateTime.of(2026, 11, 28, 2, 30, 59));
        assertThat(backup.manifestKey()).isEqualTo("prod/2026/11/28/@globals_20261128023059.sql.zst.manifest.json");
        assertThat(BackupKey.parse("prod/2026/11/28/a_b_20261128023059.sql.gz", "prod/").orElseThrow().database())
                .isEqualTo("a_b");
    }

    /** What the store lists, in key order, as ObjectStore.list gives it. */
    private static java.util.function.Consumer<java.util.function.Consumer<S3Object>> listed(S3Object... objects) {
        return each -> List.of(objects).forEach(each);
    }

    @Test
    void backupsAreSortedByTheKeysTimeAcrossExtensions() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());

        List<S3Object> backups = new ObjectListing().collect(exchange, listed(
                object("2026/11/28/shop_20261128010000.sql.gz"), object("2026/11/28/shop_20261128020000.sql.zst"),
                object("2026/11/28/shop_20261128020000.sql.zst.manifest.json"),
                object("2026/11/28/shop_20261128003000.sql.gz")));

        assertThat(backups).extracting(S3Object::key).containsExactly("2026/11/28/shop_20261128003000.sql.gz",
                "2026/11/28/shop_20261128010000.sql.gz", "2026/11/28/shop_20261128020000.sql.zst");
    }

    @Test
    void aSecondListingOnTheSameExchangeStartsAfresh() {
        ObjectListing listing = new ObjectListing();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        listing.collect(exchange, listed(object("2026/11/28/shop_20261128010000.sql.gz"),
                object("2026/11/28/shop_20261128010000.sql.gz.manifest.json")));

        assertThat(listing.collect(exchange, listed())).isEmpty();
        assertThat(exchange.getProperty(ObjectListing.MANIFESTS, java.util.Set.class)).isEmpty();
    }

    /** The listing leaves nothing on the exchange but the manifests and continuations it found. */
    @Test
    void theListingLeavesOnlyItsManifestsAndContinuations() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());

        assertThat(new ObjectListing().collect(exchange, listed(object("2026/11/28/shop_20261128010000.sql.gz"),
                object("2026/11/28/shop_20261128010000.sql.gz.manifest.json")))).hasSize(1);
        assertThat(exchange.getProperties().keySet()).containsExactlyInAnyOrder(ObjectListing.MANIFESTS,
                ObjectListing.CONTINUATIONS);
        assertThat(exchange.getProperty(ObjectListing.MANIFESTS, java.util.Set.class))
                .containsExactly("2026/11/28/shop_20261128010000.sql.gz");
    }

    /**
     * A backup's continuation objects are not backups: the backup is listed once, with the size of all its objects,
     * and its continuations are kept for prune (deleted after its signature and manifest, the last first, before the
     * backup itself); a continuation of another database's backup, or of a backup that is gone, is never listed.
     */
    @Test
    void continuationObjectsAddToTheirBackupsSizeAndAreNeverListedAsBackups() {
        String key = "2026/11/28/shop_20261128010000.sql.gz";
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(RunProperties.LIST_DATABASE, "shop");

        List<S3Object> backups = new ObjectListing().collect(exchange, listed(sized(key, 100), sized(key + ".part10", 7),
                sized(key + ".part2", 100), sized(key + ".part9", 100),
                sized("2026/11/28/docs_20261128010000.sql.gz.part2", 50),
                sized("2026/11/28/shop_20261128000000.sql.gz.part2", 50)));

        assertThat(backups).singleElement().satisfies(b -> {
            assertThat(b.key()).isEqualTo(key);
            assertThat(b.size()).isEqualTo(307L);
        });
        exchange.setProperty("pruneKey", key);
        exchange.setProperty("pruneManifestKey", key + ".manifest.json");
        exchange.setProperty("pruneSignatureKey", key + ".manifest.json.asc");
        assertThat(new BackupObjects().prunedObjects(exchange)).containsExactly(key + ".manifest.json.asc",
                key + ".manifest.json", key + ".part10", key + ".part9", key + ".part2", key);
    }

    private static S3Object sized(String key, long size) {
        return S3Object.builder().key(key).size(size).build();
    }

    private static S3Object object(String key) {
        return S3Object.builder().key(key).size(1L).build();
    }
}
