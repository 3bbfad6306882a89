package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.storage.BackupCatalog;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The comparison of what a load did (psql's COPY tags) and what a copy holds (count(*)) with the manifest. */
class RowCountCheckTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final RowCountCheck check = new RowCountCheck();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private Exchange exchange(String body) {
        BackupManifest manifest = new BackupManifest();
        manifest.key = "2026/12/01/shop_20261201020000.sql.gz";
        manifest.tables.put("public.orders", 200L);
        manifest.tables.put("public.\"Odd\"", 3L);
        manifest.tables.put("public.empty", 0L);
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(BackupCatalog.MANIFEST, manifest);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    /** psql's output of a plain dump: command tags, query results of set_config, and one COPY tag a table. */
    private static String load(long... copies) {
        StringBuilder out = new StringBuilder("SET\nSET\n set_config \n------------\n \n(1 row)\n\nCREATE TABLE\n");
        for (long n : copies) {
            out.append("ALTER TABLE\nCOPY ").append(n).append('\n');
        }
        return out.append("ALTER TABLE\nCOMMIT\n").toString();
    }

    @Test
    void everyTableLoadedAsDumpedPasses() {
        Exchange exchange = exchange(load(200, 3, 0));

        assertThat(check.compareLoaded(exchange)).isEqualTo("3 tables, 203 rows, all as dumped");
        assertThat(exchange.getProperty(RowCountCheck.SUMMARY)).isEqualTo("3 tables, 203 rows, all as dumped");
    }

    @Test
    void aTableThatLoadedFewerRowsFailsNamingIt() {
        assertThatThrownBy(() -> check.compareLoaded(exchange(load(198, 3, 0))))
                .isInstanceOf(RowCountCheck.RowCountMismatchException.class)
                .hasMessage("the load of 2026/12/01/shop_20261201020000.sql.gz differs from its manifest:"
                        + " public.orders loaded 198 rows, the dump had 200");
    }

    @Test
    void aLoadCutShortOrLongerThanTheManifestFails() {
        assertThatThrownBy(() -> check.compareLoaded(exchange(load(200))))
                .hasMessageEndingWith("public.\"Odd\" was not loaded; public.empty was not loaded");
        assertThatThrownBy(() -> check.compareLoaded(exchange(load(200, 3, 0, 7))))
                .hasMessageEndingWith("1 more table(s) loaded than the manifest lists");
        assertThatThrownBy(() -> check.compareLoaded(exchange(null))).hasMessageContaining("public.orders was not loaded");
    }

    @Test
    void theCountQueryCountsEveryTableWithoutItsChildrenInManifestOrder() {
        assertThat(check.countQuery(exchange(""))).isEqualTo("SELECT 0, count(*) FROM ONLY public.orders\n"
                + "UNION ALL SELECT 1, count(*) FROM ONLY public.\"Odd\"\nUNION ALL SELECT 2, count(*) FROM ONLY public.empty;\n");
    }

    @Test
    void countsAreComparedByIndexWhateverTheirOrder() {
        assertThat(check.compareCounts(exchange("2|0\n0|200\n1|3\n"))).isEqualTo("3 tables, 203 rows, all as dumped");
        assertThatThrownBy(() -> check.compareCounts(exchange("0|200\n1|2\n")))
                .hasMessage("the restored copy of 2026/12/01/shop_20261201020000.sql.gz differs: public.\"Odd\" has 2 rows,"
                        + " the dump had 3; public.empty not counted");
    }
}
