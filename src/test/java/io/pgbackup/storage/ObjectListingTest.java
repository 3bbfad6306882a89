package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
