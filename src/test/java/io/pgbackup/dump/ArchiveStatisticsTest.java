package io.pgbackup.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The custom-format reader against a real archive: {@code archives/fixture.dump} was written by pg_dump 15.18
 * ({@code pg_dump -Fc --compress=0 fixture | cat > fixture.dump}, through a pipe as pg-backup runs it) from a database
 * with two schemas, a Hangul table (one row holding a newline), an empty table, a serial column, a view, a foreign
 * key, an index, a comment and a large object.
 */
@Timeout(30)
class ArchiveStatisticsTest {

    static byte[] fixture() throws Exception {
        try (InputStream in = ArchiveStatisticsTest.class.getResourceAsStream("/archives/fixture.dump")) {
            return in.readAllBytes();
        }
    }

    @Test
    void countsTheRowsOfEveryTableWhateverTheReadSizes() throws Exception {
        byte[] archive = fixture();
        for (int chunk : new int[] {1, 2, 3, 7, 64, 4096, 1 << 20}) {
            ArchiveStatistics statistics = read(archive, chunk);
            assertThat(statistics.rows()).as("reads of %d bytes", chunk).containsExactly(
                    Map.entry("public.empty", 0L), Map.entry("sales.items", 50L), Map.entry("sales.orders", 30L),
                    Map.entry("\"한글 스키마\".\"주문\"", 2L));
            assertThat(statistics.isComplete()).isTrue();
            assertThat(statistics.bytes()).isEqualTo(archive.length);
            assertThat(statistics.serverVersion()).startsWith("15.");
            assertThat(statistics.dumpVersion()).startsWith("15.");
        }
    }

    @Test
    void theTableOfContentsNamesEveryEntryAndItsDependencies() throws Exception {
        ArchiveToc toc = ArchiveToc.read(new ByteArrayInputStream(fixture()));
        assertThat(toc.version()).isEqualTo("1.14.0");
        assertThat(toc.database()).isEqualTo("fixture");
        ArchiveToc.Entry fk = toc.entries().stream().filter(e -> e.desc().equals("FK CONSTRAINT")).findFirst().orElseThrow();
        assertThat(fk.tag()).isEqualTo("items items_order_id_fkey");
        assertThat(fk.deps()).hasSize(3);
        assertThat(toc.entries()).anySatisfy(e -> {
            assertThat(e.desc()).isEqualTo("TABLE DATA");
            assertThat(e.copyTable()).isEqualTo("\"한글 스키마\".\"주문\"");
        });
    }

    @Test
    void anArchiveCutAnywhereFailsAtItsEnd() throws Exception {
        byte[] archive = fixture();
        int tocEnd = (int) ArchiveToc.read(new ByteArrayInputStream(archive)).length();
        for (int cut : new int[] {0, 3, 100, tocEnd - 1, tocEnd, tocEnd + 1, tocEnd + 40, archive.length / 2,
                archive.length - 9, archive.length - 1}) {
            byte[] shorter = Arrays.copyOf(archive, cut);
            assertThatThrownBy(() -> read(shorter, 5)).as("cut at %d of %d", cut, archive.length)
                    .isInstanceOf(IncompleteDumpException.class).hasMessageContaining("incomplete");
        }
    }

    @Test
    void plainSqlIsNotAnArchive() {
        byte[] plain = "--\n-- PostgreSQL database dump\n--\n".getBytes();
        assertThatThrownBy(() -> read(plain, 4096)).isInstanceOf(IncompleteDumpException.class)
                .hasMessageContaining("not a readable custom-format archive");
    }

    @Test
    void aDataBlockTheTableOfContentsDoesNotAnnounceIsDamage() throws Exception {
        byte[] archive = fixture();
        int tocEnd = (int) ArchiveToc.read(new ByteArrayInputStream(archive)).length();
        byte[] damaged = archive.clone();
        damaged[tocEnd + 2] ^= 0x55; // the first block's dump id
        assertThatThrownBy(() -> read(damaged, 4096)).isInstanceOf(IncompleteDumpException.class);
    }

    private static ArchiveStatistics read(byte[] archive, int chunk) throws Exception {
        ArchiveStatistics statistics = new ArchiveStatistics(new ByteArrayInputStream(archive));
        byte[] buffer = new byte[chunk];
        while (statistics.read(buffer, 0, chunk) >= 0) {
            // read through
        }
        return statistics;
    }
}
