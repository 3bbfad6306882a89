package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;

import org.junit.jupiter.api.Test;

class BackupKeyTest {

    @Test
    void aListedKeyIsReadUnderWhateverPrefixItHas() {
        assertThat(BackupKey.parseListed("prod/db1/2026/11/20/orders_20261120100000.sql.zst")).hasValueSatisfying(b -> {
            assertThat(b.database()).isEqualTo("orders");
            assertThat(b.time()).isEqualTo(LocalDateTime.of(2026, 11, 20, 10, 0, 0));
        });
        assertThat(BackupKey.parseListed("2026/11/20/@globals_20261120100000.sql.gz")).map(BackupKey::database).hasValue("@globals");
        assertThat(BackupKey.parseListed("2026/11/20/orders_20261120100000.sql.gz.manifest.json")).isEmpty();
        assertThat(BackupKey.parseListed("notes.txt")).isEmpty();
        assertThat(BackupKey.parseListed("2026/11/20/orders_20261120100000.sql.gz").orElseThrow().manifestKey())
                .isEqualTo("2026/11/20/orders_20261120100000.sql.gz.manifest.json");
    }

    /** Odd names stay one segment in their own date folder, and read back exactly. */
    @Test
    void anyDatabaseNameRoundTripsAndStaysInItsFolder() {
        LocalDateTime at = LocalDateTime.of(2026, 11, 28, 2, 0, 5);
        for (String name : java.util.List.of("shop", "상점 shop", " app", "a/b", "../../etc", "..", "new\nline", "q\"'`$(x)",
                "host=127.0.0.1 port=1 dbname=postgres", "100%", "a%2Fb", "back\\slash", "tab\there", "_20261128020005")) {
            String key = BackupKey.format("prod/", name, at, "gz");
            assertThat(key).as(name).startsWith("prod/2026/11/28/").endsWith("_20261128020005.sql.gz")
                    .doesNotContain("\n").doesNotContain("\\");
            assertThat(key.substring("prod/2026/11/28/".length())).as("one segment for %s", name).doesNotContain("/");
            assertThat(BackupKey.parse(key, "prod/")).as(name).hasValueSatisfying(b -> {
                assertThat(b.database()).isEqualTo(name);
                assertThat(b.time()).isEqualTo(at);
            });
        }
        assertThat(BackupKey.format("", "a/b", at, "gz")).isNotEqualTo(BackupKey.format("", "a%2Fb", at, "gz"));
        assertThat(BackupKey.format("", "상점 shop", at, "zst")).isEqualTo("2026/11/28/상점 shop_20261128020005.sql.zst");
    }

    /** A custom-format archive's key says so (.dump.), round-trips like any other, and only it reads as an archive. */
    @Test
    void anArchiveKeyIsToldApartFromPlainSql() {
        LocalDateTime at = LocalDateTime.of(2026, 11, 28, 2, 0, 5);
        for (String name : java.util.List.of("shop", "x.dump.gz", "a_20261128020005.dump", "상점")) {
            String archive = BackupKey.format("p/", name, at, "custom", "gz.gpg");
            assertThat(archive).as(name).endsWith("_20261128020005.dump.gz.gpg");
            assertThat(BackupKey.isArchive(archive)).as(name).isTrue();
            assertThat(BackupKey.parse(archive, "p/")).as(name).map(BackupKey::database).hasValue(name);
            String plain = BackupKey.format("p/", name, at, "plain", "zst");
            assertThat(BackupKey.isArchive(plain)).as(name).isFalse();
            assertThat(BackupKey.parse(plain, "p/")).as(name).map(BackupKey::database).hasValue(name);
        }
        assertThat(BackupKey.isArchive("2026/11/28/shop_20261128020005.dump.gz.manifest.json")).isFalse();
        assertThat(BackupKey.isArchive(null)).isFalse();
    }
}
