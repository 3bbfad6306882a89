package io.pgbackup.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.pgbackup.support.Spaces;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The archive's table of contents comes from an untrusted object: what is held of it is capped (one line naming the
 * cap), and what is not held (definitions) is read past in pieces whatever its size.
 */
@Timeout(60)
class ArchiveTocCapsTest {

    /** A custom-format head (archive 1.14, 4-byte ints) with the given entries; a definition may be streamed in. */
    private static final class Head {
        private final List<InputStream> parts = new ArrayList<>();
        private ByteArrayOutputStream out = new ByteArrayOutputStream();

        Head(int entries) {
            out.writeBytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
            out.write(1);
            out.write(14);
            out.write(0);
            out.write(4); // int size
            out.write(8); // offset size
            out.write(1); // custom format
            integer(0); // compression level
            for (int i = 0; i < 7; i++) {
                integer(1);
            }
            string("db");
            string("15.1");
            string("15.1");
            integer(entries);
        }

        void integer(long value) {
            out.write(value < 0 ? 1 : 0);
            long v = Math.abs(value);
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >> (8 * i)) & 0xff);
            }
        }

        void string(String s) {
            if (s == null) {
                integer(-1);
                return;
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            integer(bytes.length);
            out.writeBytes(bytes);
        }

        /** A string of {@code length} bytes that is never in memory at once. */
        void bigString(long length) {
            integer(length);
            parts.add(new ByteArrayInputStream(out.toByteArray()));
            out = new ByteArrayOutputStream();
            parts.add(Spaces.of(length));
        }

        /** An entry; definitionBytes < 0: a small definition. */
        Head entry(int id, String tag, long definitionBytes) {
            integer(id);
            integer(0); // has data
            string("0");
            string("0");
            string(tag);
            string("TABLE");
            integer(1); // section
            if (definitionBytes < 0) {
                string("CREATE TABLE x ();");
            } else {
                bigString(definitionBytes);
            }
            string("");
            string(null); // copy statement
            string("public");
            string("");
            string("heap");
            string("owner");
            string("false");
            string(null); // end of dependencies
            out.write(1); // offset flag
            out.writeBytes(new byte[8]);
            return this;
        }

        InputStream stream() {
            List<InputStream> all = new ArrayList<>(parts);
            all.add(new ByteArrayInputStream(out.toByteArray()));
            return new SequenceInputStream(Collections.enumeration(all));
        }
    }

    @Test
    void aDefinitionOfAnySizeIsReadPastWithoutBeingHeld() throws Exception {
        // 300 MB: more than the launcher's whole heap
        ArchiveToc toc = ArchiveToc.read(new Head(2).entry(1, "big", 300L << 20).entry(2, "small", -1).stream());
        assertThat(toc.entries()).extracting(ArchiveToc.Entry::tag).containsExactly("big", "small");
        assertThat(toc.length()).isGreaterThan(300L << 20);
    }

    @Test
    void aNameLongerThanTheCapStopsTheReadNamingTheCap() {
        String tag = "t".repeat(ArchiveToc.MAX_KEPT_STRING + 1);
        assertThatThrownBy(() -> ArchiveToc.read(new Head(1).entry(1, tag, -1).stream()))
                .isInstanceOf(ArchiveToc.TocTooLargeException.class)
                .hasMessage("the archive's table of contents holds a name, tag or COPY statement of "
                        + (ArchiveToc.MAX_KEPT_STRING + 1) + " bytes, more than the cap of " + ArchiveToc.MAX_KEPT_STRING
                        + " bytes");
    }

    @Test
    void moreEntriesThanTheCapStopTheReadNamingTheCap() {
        int entries = (int) (ArchiveToc.MAX_KEPT_BYTES / 256) + 10;
        Head head = new Head(entries);
        for (int i = 1; i <= entries; i++) {
            head.entry(i, "t", -1);
        }
        assertThatThrownBy(() -> ArchiveToc.read(head.stream())).isInstanceOf(ArchiveToc.TocTooLargeException.class)
                .hasMessageContaining("the archive's table of contents is too large: more than 48 MiB of entries (the cap)");
    }

    @Test
    void aBackupWhoseTableOfContentsIsLargerThanTheCapFailsNamingIt() throws Exception {
        ArchiveStatistics statistics = new ArchiveStatistics(new Head(1)
                .entry(1, "f", ArchiveStatistics.MAX_HEAD_BYTES + 100L).stream());
        byte[] buffer = new byte[1 << 16];
        assertThatThrownBy(() -> {
            while (statistics.read(buffer, 0, buffer.length) >= 0) {
                // read through
            }
        }).isInstanceOf(IncompleteDumpException.class)
                .hasMessageContaining("table of contents is larger than 64 MiB, the cap pg-backup reads");
    }
}
