package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgbackup.dump.ArchiveToc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which entries a selective restore takes, on a real archive (see ArchiveStatisticsTest for the fixture). */
@Timeout(30)
class ArchiveSelectionTest {

    private static ArchiveToc toc() throws Exception {
        try (InputStream in = ArchiveSelectionTest.class.getResourceAsStream("/archives/fixture.dump")) {
            return ArchiveToc.read(new ByteArrayInputStream(in.readAllBytes()));
        }
    }

    private static List<String> described(ArchiveToc toc, ArchiveSelection selection) {
        Map<Integer, ArchiveToc.Entry> byId = toc.byId();
        return selection.ids().stream().map(byId::get).map(e -> e.desc() + " " + e.tag()).collect(Collectors.toList());
    }

    @Test
    void aTableComesWithItsDataIndexesConstraintsDefaultsSequenceAndComment() throws Exception {
        ArchiveToc toc = toc();
        ArchiveSelection items = ArchiveSelection.of(toc, List.of("sales.items"), List.of(), false);
        assertThat(described(toc, items)).containsExactly("SCHEMA sales", "TABLE items", "COMMENT TABLE items", "SEQUENCE items_id_seq",
                "SEQUENCE OWNED BY items_id_seq", "DEFAULT items id", "TABLE DATA items", "SEQUENCE SET items_id_seq",
                "CONSTRAINT items items_pkey", "INDEX items_q");
        assertThat(items.tables()).containsExactly("sales.items");
        // its foreign key references sales.orders, which a new database will not have
        assertThat(items.leftOut()).singleElement().asString().contains("items_order_id_fkey").contains("sales.orders");
    }

    @Test
    void intoAnExistingDatabaseTheForeignKeyComesToo() throws Exception {
        ArchiveToc toc = toc();
        ArchiveSelection items = ArchiveSelection.of(toc, List.of("items"), List.of(), true);
        assertThat(described(toc, items)).contains("FK CONSTRAINT items items_order_id_fkey");
        assertThat(items.leftOut()).isEmpty();
    }

    @Test
    void bothTablesOfAForeignKeyKeepIt() throws Exception {
        ArchiveToc toc = toc();
        ArchiveSelection both = ArchiveSelection.of(toc, List.of("sales.orders", "sales.items"), List.of(), false);
        assertThat(described(toc, both)).contains("FK CONSTRAINT items items_order_id_fkey", "CONSTRAINT orders orders_pkey")
                .doesNotContain("VIEW order_count");
        assertThat(both.tables()).containsExactly("sales.items", "sales.orders");
    }

    @Test
    void aSchemaComesWholeWithItsCreateStatementAndQuotedNamesWork() throws Exception {
        ArchiveToc toc = toc();
        ArchiveSelection hangul = ArchiveSelection.of(toc, List.of(), List.of("한글 스키마"), false);
        assertThat(described(toc, hangul)).containsExactly("SCHEMA 한글 스키마", "TABLE 주문", "TABLE DATA 주문");
        ArchiveSelection quoted = ArchiveSelection.of(toc, List.of("\"한글 스키마\".\"주문\""), List.of(), true);
        assertThat(quoted.tables()).containsExactly("\"한글 스키마\".\"주문\"");
        ArchiveSelection intoExisting = ArchiveSelection.of(toc, List.of(), List.of("한글 스키마"), true);
        assertThat(described(toc, intoExisting)).containsExactly("TABLE 주문", "TABLE DATA 주문");
        assertThat(intoExisting.schemas()).containsExactly("한글 스키마");
    }

    @Test
    void namesMayHoldDotsAndQuotes() {
        ArchiveToc.Entry dotted = new ArchiveToc.Entry(1, false, "TABLE", "public", "a.b", null, List.of());
        assertThat(ArchiveSelection.names(dotted, "public.a.b")).isTrue();
        assertThat(ArchiveSelection.names(dotted, "a.b")).isTrue();
        assertThat(ArchiveSelection.names(dotted, "\"public\".\"a.b\"")).isTrue();
        assertThat(ArchiveSelection.names(dotted, "public.a")).isFalse();
        ArchiveToc.Entry quoted = new ArchiveToc.Entry(2, false, "TABLE", "My \"Schema\"", "t", null, List.of());
        assertThat(ArchiveSelection.names(quoted, "\"My \"\"Schema\"\"\".t")).isTrue();
        assertThat(ArchiveSelection.names(quoted, "other.t")).isFalse();
    }

    @Test
    void unknownNamesAreRefusedNamingWhatTheBackupHas() throws Exception {
        assertThatThrownBy(() -> ArchiveSelection.of(toc(), List.of("sales.nope"), List.of("nowhere"), false))
                .isInstanceOf(ArchiveSelection.UnknownNameException.class)
                .hasMessageContaining("no table sales.nope").hasMessageContaining("no schema nowhere")
                .hasMessageContaining("sales.orders").hasMessageContaining("한글 스키마");
    }

    @Test
    void theUseListIsInArchiveOrder() throws Exception {
        ArchiveSelection selection = ArchiveSelection.of(toc(), List.of("sales.orders"), List.of(), false);
        List<Integer> listed = selection.useList().lines().filter(l -> !l.startsWith(";")).map(Integer::parseInt).toList();
        assertThat(listed).isEqualTo(selection.ids());
    }
}
