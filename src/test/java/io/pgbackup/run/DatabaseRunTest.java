package io.pgbackup.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.pgbackup.manifest.StoredObject;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What one database's upload stored is part of its run: the copy store's upload, on a copy, keeps its own. */
class DatabaseRunTest {

    @Test
    void theCopyStoresUploadRecordsItsObjectsWithoutTouchingThePrimarysRun() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        DatabaseRun shop = DatabaseRun.start(exchange, "shop");
        Exchange copy = exchange.copy();
        shop.copyInto(copy);

        StoredBackup copied = DatabaseRun.of(copy).stored();
        copied.setEtag("0123456789abcdef0123456789abcdef");
        copied.setObjects(List.of(new StoredObject("copy/k", 10, 0, "0123456789abcdef0123456789abcdef")));
        copied.setHashes("ab".repeat(32), 1048576, List.of("cd".repeat(32)));
        StoredBackup.markManifestWritten(copy);
        shop.stored().setEtag("fedcba9876543210fedcba9876543210");
        StoredBackup.markObjectStored(exchange);

        assertThat(shop.stored().objects()).isNull();
        assertThat(shop.stored().sha256()).isNull();
        assertThat(shop.stored().manifestWritten()).isFalse();
        assertThat(copied.etag()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(StoredBackup.toRemove(exchange)).isTrue();
        assertThat(StoredBackup.toRemove(copy)).isFalse();
    }

    @Test
    void theRoutesReadTheRunsFieldsAsSimpleExpressionsDo() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        Exchange exchange = new DefaultExchange(context);
        DatabaseRun run = DatabaseRun.start(exchange, "shop");
        io.pgbackup.dump.DumpStatistics dump = new io.pgbackup.dump.DumpStatistics(new java.io.ByteArrayInputStream(
                ("COPY public.a (id) FROM stdin;\n1\n\\.\nCOPY public.b (id) FROM stdin;\n\\.\n"
                        + "--\n-- PostgreSQL database dump complete\n--\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)), true);
        dump.readAllBytes();
        run.setDump(dump);
        run.stored().setHashes("ab".repeat(32), 1048576, List.of());
        run.setFresh("pgbackup_verify_shop_20261201020000");
        DatabaseRun.markKeyTaken(exchange);
        DatabaseRun.markCountAfterLoad(exchange);

        assertThat(simple(context, exchange, "${exchangeProperty.run.dump.rows().size()} tables")).isEqualTo("2 tables");
        assertThat(simple(context, exchange, "${exchangeProperty.run.stored.sha256}")).isEqualTo("ab".repeat(32));
        assertThat(simple(context, exchange, "${exchangeProperty.run.fresh}"))
                .isEqualTo("pgbackup_verify_shop_20261201020000");
        assertThat(context.resolveLanguage("simple").createPredicate("${exchangeProperty.run.keyTaken} != true")
                .matches(exchange)).isFalse();
        assertThat(context.resolveLanguage("simple").createPredicate("${exchangeProperty.run.countAfterLoad} == true")
                .matches(exchange)).isTrue();

        // restore.yaml drops the fresh database unless it was renamed into place; verify-stored.yaml's log line
        assertThat(context.resolveLanguage("simple").createPredicate("${exchangeProperty.run.renamed} != true")
                .matches(exchange)).isTrue();
        DatabaseRun.markRenamed(exchange);
        assertThat(context.resolveLanguage("simple").createPredicate("${exchangeProperty.run.renamed} != true")
                .matches(exchange)).isFalse();
        assertThat(simple(context, exchange, "matches${exchangeProperty.run.readBackNote}")).isEqualTo("matches");
        run.setReadBackNote(" (encrypted)");
        assertThat(simple(context, exchange, "matches${exchangeProperty.run.readBackNote}")).isEqualTo("matches (encrypted)");
    }

    @Test
    void aCopyOfTheRunHasEveryFieldAndGoesOnOnItsOwn() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        DatabaseRun shop = DatabaseRun.start(exchange, "shop");
        shop.setKey("2026/12/01/shop_20261201020000.sql.gz");
        io.pgbackup.manifest.BackupManifest manifest = new io.pgbackup.manifest.BackupManifest();
        shop.setManifest(manifest);
        shop.setPrevious(manifest);
        DatabaseRun.markRenamed(exchange);
        Exchange copy = exchange.copy();

        shop.copyInto(copy);
        DatabaseRun copied = DatabaseRun.of(copy);
        copied.setKey("other");

        assertThat(copied).isNotSameAs(shop);
        assertThat(copied.database()).isEqualTo("shop");
        assertThat(copied.startedAt()).isEqualTo(shop.startedAt());
        assertThat(copied.manifest()).isSameAs(manifest);
        assertThat(copied.previous()).isSameAs(manifest);
        assertThat(copied.renamed()).isTrue();
        assertThat(copied.stored()).isNotSameAs(shop.stored());
        assertThat(shop.key()).isEqualTo("2026/12/01/shop_20261201020000.sql.gz");
    }

    private static String simple(DefaultCamelContext context, Exchange exchange, String expression) {
        return context.resolveLanguage("simple").createExpression(expression).evaluate(exchange, String.class);
    }

    @Test
    void aRunThatNeverStartedHasNothingToRemoveAndItsKeyIsNotTaken() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());

        assertThat(StoredBackup.toRemove(exchange)).isFalse();
        assertThat(DatabaseRun.of(exchange).keyTaken()).isFalse();
        DatabaseRun.markKeyTaken(exchange);
        assertThat(DatabaseRun.of(exchange).keyTaken()).isTrue();
    }
}
