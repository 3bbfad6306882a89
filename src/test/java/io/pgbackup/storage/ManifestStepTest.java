package io.pgbackup.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.DumpFacts;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shrink check: sizes within one dump format, rows when BACKUP_FORMAT changed since the previous good backup. */
@Timeout(30)
class ManifestStepTest {

    private static Exchange check(String previousKey, long previousBytes, long previousRows, String key, long bytes,
            long rows) throws Exception {
        ManifestStep step = new ManifestStep();
        step.setMaxShrinkPercent(50);
        BackupManifest previous = new BackupManifest();
        previous.key = previousKey;
        previous.rawBytes = previousBytes;
        previous.tables = Map.of("public.t", previousRows);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        DatabaseRun.of(exchange).setKey(key);
        DatabaseRun.of(exchange).setPrevious(previous);
        DatabaseRun.of(exchange).setDump(new DumpFacts() {
            public long bytes() {
                return bytes;
            }

            public boolean isComplete() {
                return true;
            }

            public String serverVersion() {
                return "15";
            }

            public String dumpVersion() {
                return "15";
            }

            public Map<String, Long> rows() {
                return Map.of("public.t", rows);
            }
        });
        step.checkShrink(exchange);
        return exchange;
    }

    @Test
    void withinOneFormatTheSizeIsCompared() throws Exception {
        assertThat(check("2026/12/01/db_20261201000000.sql.gz", 1000, 10, "2026/12/02/db_20261202000000.sql.gz", 400, 10)
                .getProperty(DatabaseRun.PROPERTY, DatabaseRun.class).warning()).contains("shrank 60%").contains("1000 -> 400 bytes");
        assertThat(check("2026/12/01/db_20261201000000.sql.gz", 1000, 10, "2026/12/02/db_20261202000000.sql.gz", 900, 1)
                .getProperty(DatabaseRun.PROPERTY, DatabaseRun.class).warning()).isNull();
    }

    @Test
    void acrossFormatsTheRowsAreCompared() throws Exception {
        // an archive is smaller than the same rows as SQL: not a shrink
        assertThat(check("2026/12/01/db_20261201000000.sql.gz", 1000, 10, "2026/12/02/db_20261202000000.dump.gz", 400, 10)
                .getProperty(DatabaseRun.PROPERTY, DatabaseRun.class).warning()).isNull();
        assertThat(check("2026/12/01/db_20261201000000.dump.gz", 1000, 10, "2026/12/02/db_20261202000000.sql.gz", 1100, 2)
                .getProperty(DatabaseRun.PROPERTY, DatabaseRun.class).warning()).contains("rows shrank 80%").contains("10 -> 2 rows");
    }
}
