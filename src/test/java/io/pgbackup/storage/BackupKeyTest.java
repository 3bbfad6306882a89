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
}
