package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgbackup.compress.ZstdCompression;

import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * BACKUP_COMPRESSION=zstd with a level above gzip's 9 (up to 19 is zstd's range): the backup command's app starts
 * and its zstd bean (routes/beans.yaml) has that level; the unused gzip bean once refused it and failed every command.
 */
@CamelMainTest(properties = {"backup.compression=zstd", "backup.compression.level=15"})
class ZstdLevelRoutesTest extends AppRouteTest {

    ZstdLevelRoutesTest() {
        super("backup");
    }

    @Test
    void aZstdLevelAboveGzipsNineStartsAndReachesTheZstdBean() {
        assertThat(bean("zstd", ZstdCompression.class).getLevel()).isEqualTo(15);
    }
}
