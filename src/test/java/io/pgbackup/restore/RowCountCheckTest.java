package io.pgbackup.restore;

import io.pgbackup.run.DatabaseRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.support.PostgresServer;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The comparison of what a load did (psql's COPY tags) and what a copy holds (count(*)) with the manifest. */
@Timeout(120)
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
        DatabaseRun.of(exchange).setManifest(manifest);
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
        assertThat(DatabaseRun.of(exchange).summary()).isEqualTo("3 tables, 203 rows, all as dumped");
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

    /** A manifest as a bucket writer could write it: names that would be SQL, or psql commands, if pasted. */
    private Exchange hostile() {
        BackupManifest manifest = new BackupManifest();
        manifest.key = "2026/12/01/shop_20261201020000.sql.gz";
        manifest.tables.put("public.orders", 5L);
        manifest.tables.put("public.orders\n\\! touch /tmp/pgbackup-rowcount-test", 0L);
        manifest.tables.put("public.orders; DROP TABLE public.orders; --", 0L);
        manifest.tables.put("public.orders') UNION SELECT 1, 1 --", 0L);
        manifest.tables.put("x.y.z", 0L);
        manifest.tables.put("a\0b", 0L);
        manifest.tables.put("public.v", 0L);
        manifest.tables.put("\"한글 스키마\".\"주문\"", 2L);
        manifest.tables.put("public.p", 0L);
        manifest.tables.put("public.p1", 1L);
        Exchange exchange = new DefaultExchange(context);
        DatabaseRun.of(exchange).setManifest(manifest);
        return exchange;
    }

    @Test
    void theCountQueryHoldsNoManifestTextOnlyHexDigits() {
        String sql = check.countQuery(hostile());

        assertThat(sql).doesNotContain("orders").doesNotContain("\\").doesNotContain("DROP").doesNotContain("주문");
        assertThat(sql.strip().lines().count()).as("its own four lines, whatever the names hold").isEqualTo(4);
    }

    /**
     * The query against a real PostgreSQL 15: every table counted without its children (ONLY), in manifest order; a
     * name that names no table (a hostile one, a view, a name PostgreSQL cannot parse) is "missing" without hiding the
     * others, and nothing a name holds runs.
     */
    @Test
    void theCountQueryCountsRealTablesAndReportsTheRestMissing() throws Exception {
        PostgresServer postgres = PostgresServer.shared();
        postgres.createDatabase("rowcount_names");
        try {
            postgres.psql("rowcount_names", """
                    CREATE TABLE public.orders (id int); INSERT INTO public.orders SELECT generate_series(1, 5);
                    CREATE VIEW public.v AS SELECT 1;
                    CREATE SCHEMA "한글 스키마"; CREATE TABLE "한글 스키마"."주문" (x int);
                    INSERT INTO "한글 스키마"."주문" VALUES (1), (2);
                    CREATE TABLE public.p (a int) PARTITION BY RANGE (a);
                    CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES FROM (0) TO (10); INSERT INTO public.p VALUES (1);
                    """);
            Exchange exchange = hostile();
            String counts = postgres.psql("rowcount_names", check.countQuery(exchange));

            assertThat(counts.strip().lines().toList()).containsExactly("0|5", "1|missing", "2|missing", "3|missing",
                    "4|missing", "5|missing", "6|missing", "7|2", "8|0", "9|1");
            assertThat(postgres.psql("rowcount_names", "SELECT count(*) FROM public.orders").strip()).isEqualTo("5");
            exchange.getMessage().setBody(counts);
            assertThatThrownBy(() -> check.compareCounts(exchange))
                    .isInstanceOf(RowCountCheck.RowCountMismatchException.class)
                    .hasMessageContaining("public.orders; DROP TABLE public.orders; -- is missing (no such table)")
                    .hasMessageContaining("public.v is missing (no such table)")
                    .hasMessageNotContaining("public.orders has");
        } finally {
            postgres.dropDatabase("rowcount_names");
        }
    }

    @Test
    void countsAreComparedByIndexWhateverTheirOrder() {
        assertThat(check.compareCounts(exchange("2|0\n0|200\n1|3\n"))).isEqualTo("3 tables, 203 rows, all as dumped");
        assertThatThrownBy(() -> check.compareCounts(exchange("0|200\n1|2\n")))
                .hasMessage("the restored copy of 2026/12/01/shop_20261201020000.sql.gz differs: public.\"Odd\" has 2 rows,"
                        + " the dump had 3; public.empty not counted");
    }
}
