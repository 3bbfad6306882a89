package io.pgbackup.dump;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The head of a pg_dump custom-format archive ({@code pg_dump --format=custom}): its header and table of contents,
 * read from the start of the stream (archive versions 1.12 to 1.16: pg_dump 11 to 17). The data blocks that follow are
 * read by {@link ArchiveStatistics} (backup) and by pg_restore (restore).
 * <p>
 * Layout, as pg_dump's pg_backup_archiver.c writes it: "PGDMP", version (3 bytes), int size, offset size, format;
 * compression; creation time (7 ints); database name, server version, pg_dump version; the entry count; then each
 * entry: dump id, has-data flag, table oid, oid, tag, description, section, definition, drop statement, COPY
 * statement, schema, tablespace, table access method, [relkind (1.16)], owner, "with oids", dependency ids (strings,
 * ended by a null string), and the data block's offset (a flag byte and the offset). An int is a sign byte and
 * {@code intSize} bytes, least significant first; a string an int length (-1: null) and its UTF-8 bytes.
 */
public record ArchiveToc(String version, int intSize, String database, String serverVersion, String dumpVersion,
        List<Entry> entries, long length) {

    /** The custom format's id in the header (pg_backup.h: archCustom). */
    private static final int FORMAT_CUSTOM = 1;
    /** A string longer than this is not a pg_dump archive's (PostgreSQL's own limit on a field is 1 GB). */
    private static final int MAX_STRING = 1 << 30;
    /**
     * Caps on what is held of the table of contents (read from an untrusted archive): a name, tag or COPY statement
     * longer than {@value #MAX_KEPT_STRING} bytes, or more than {@value #MAX_KEPT_BYTES} bytes of entries in all (their
     * strings and {@value #ENTRY_OVERHEAD} bytes an entry), stop the read with one line naming the cap. Definitions and
     * other strings not kept are skipped without being held, whatever their size.
     */
    public static final int MAX_KEPT_STRING = 1 << 20;
    public static final long MAX_KEPT_BYTES = 48L << 20;
    private static final int ENTRY_OVERHEAD = 256;

    /** One table-of-contents entry; {@code deps} are the dump ids it depends on. */
    public record Entry(int dumpId, boolean hasData, String desc, String namespace, String tag, String copyStatement,
            List<Integer> deps) {

        /** The table a TABLE DATA entry loads, as its COPY statement names it ("sales.orders", quoted if needed). */
        public String copyTable() {
            String copy = copyStatement == null ? "" : copyStatement.strip();
            return copy.startsWith("COPY ") && copy.endsWith("FROM stdin;") ? DumpStatistics.tableOf(copy) : null;
        }

        /** "schema.name" as a user writes it (unquoted), for relations; the tag alone for schema-less entries. */
        public String qualifiedName() {
            return namespace == null || namespace.isEmpty() ? tag : namespace + "." + tag;
        }
    }

    /** The entries by dump id. */
    public Map<Integer, Entry> byId() {
        Map<Integer, Entry> byId = new LinkedHashMap<>();
        for (Entry entry : entries) {
            byId.put(entry.dumpId(), entry);
        }
        return Collections.unmodifiableMap(byId);
    }

    /** Whether {@code head} starts like a custom-format archive. */
    public static boolean isArchive(byte[] head, int length) {
        return length >= 5 && head[0] == 'P' && head[1] == 'G' && head[2] == 'D' && head[3] == 'M' && head[4] == 'P';
    }

    /**
     * Reads the header and the table of contents from {@code in}, which is left at the first data block.
     *
     * @throws EOFException when the stream ends before the table of contents does
     * @throws IOException when the bytes are not a custom-format archive pg-backup can read
     */
    public static ArchiveToc read(InputStream in) throws IOException {
        Reader reader = new Reader(in);
        byte[] magic = reader.bytes(5);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("PGDMP")) {
            throw new IOException("not a pg_dump custom-format archive (it does not start with PGDMP)");
        }
        int major = reader.u8();
        int minor = reader.u8();
        int revision = reader.u8();
        String version = major + "." + minor + "." + revision;
        if (major != 1 || minor < 12 || minor > 16) {
            throw new IOException("pg_dump archive version " + version + " is not one pg-backup reads (1.12 to 1.16: "
                    + "pg_dump 11 to 17)");
        }
        reader.intSize = reader.u8();
        reader.offsetSize = reader.u8();
        if (reader.intSize < 1 || reader.intSize > 8 || reader.offsetSize < 1 || reader.offsetSize > 8) {
            throw new IOException("pg_dump archive with int size " + reader.intSize + " and offset size "
                    + reader.offsetSize + " is damaged");
        }
        int format = reader.u8();
        if (format != FORMAT_CUSTOM) {
            throw new IOException("pg_dump archive format " + format + " is not the custom format");
        }
        if (minor >= 15) {
            reader.u8(); // compression algorithm
        } else {
            reader.integer(); // compression level
        }
        for (int i = 0; i < 7; i++) {
            reader.integer(); // creation time: sec, min, hour, mday, mon, year, isdst
        }
        String database = reader.string();
        String serverVersion = reader.string();
        String dumpVersion = reader.string();
        long count = reader.integer();
        if (count < 0 || count > 100_000_000) {
            throw new IOException("pg_dump archive lists " + count + " entries: it is damaged");
        }
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            reader.kept += ENTRY_OVERHEAD;
            if (reader.kept > MAX_KEPT_BYTES) {
                throw new TocTooLargeException("the archive's table of contents is too large: more than "
                        + (MAX_KEPT_BYTES >> 20) + " MiB of entries (the cap) after " + i + " of its " + count + " entries");
            }
            int dumpId = (int) reader.integer();
            boolean hasData = reader.integer() != 0;
            reader.skipString(); // table oid
            reader.skipString(); // oid
            String tag = reader.string();
            String desc = reader.string();
            reader.integer(); // section
            reader.skipString(); // definition
            reader.skipString(); // drop statement
            String copy = reader.string();
            String namespace = reader.string();
            reader.skipString(); // tablespace
            reader.skipString(); // table access method
            if (minor >= 16) {
                reader.integer(); // relkind
            }
            reader.skipString(); // owner
            reader.skipString(); // "with oids" (always false)
            List<Integer> deps = new ArrayList<>();
            for (String dep = reader.string(); dep != null; dep = reader.string()) {
                reader.kept += 16;
                try {
                    deps.add(Integer.parseInt(dep.strip()));
                } catch (NumberFormatException e) {
                    throw new IOException("pg_dump archive entry " + dumpId + " has a dependency '" + dep
                            + "' that is not a number: it is damaged");
                }
            }
            reader.u8(); // offset flag
            reader.bytes(reader.offsetSize); // data offset (not set when pg_dump wrote to a pipe)
            entries.add(new Entry(dumpId, hasData, desc, namespace, tag, copy, List.copyOf(deps)));
        }
        return new ArchiveToc(version, reader.intSize, database, serverVersion, dumpVersion, List.copyOf(entries),
                reader.position);
    }

    /** The table of contents is larger than what pg-backup holds of one (a cap, not damage). */
    public static final class TocTooLargeException extends IOException {
        public TocTooLargeException(String message) {
            super(message);
        }
    }

    /** The archive's primitives, counting the bytes read and the bytes held. */
    private static final class Reader {
        private final InputStream in;
        int intSize = 4;
        int offsetSize = 8;
        long position;
        long kept;

        Reader(InputStream in) {
            this.in = in;
        }

        int u8() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the archive ended inside its table of contents");
            }
            position++;
            return b;
        }

        byte[] bytes(int n) throws IOException {
            byte[] out = in.readNBytes(n);
            position += out.length;
            if (out.length < n) {
                throw new EOFException("the archive ended inside its table of contents");
            }
            return out;
        }

        long integer() throws IOException {
            int sign = u8();
            long value = 0;
            for (int i = 0; i < intSize; i++) {
                value |= (long) u8() << (8 * i);
            }
            return sign == 0 ? value : -value;
        }

        String string() throws IOException {
            long length = integer();
            if (length < 0) {
                return null;
            }
            if (length > MAX_KEPT_STRING) {
                throw new TocTooLargeException("the archive's table of contents holds a name, tag or COPY statement of "
                        + length + " bytes, more than the cap of " + MAX_KEPT_STRING + " bytes");
            }
            kept += length;
            if (kept > MAX_KEPT_BYTES) {
                throw new TocTooLargeException("the archive's table of contents is too large: more than "
                        + (MAX_KEPT_BYTES >> 20) + " MiB of entries (the cap)");
            }
            return new String(bytes((int) length), StandardCharsets.UTF_8);
        }

        /** A string that is not kept: read past in pieces, never held whole. */
        void skipString() throws IOException {
            long length = integer();
            if (length <= 0) {
                return;
            }
            if (length > MAX_STRING) {
                throw new IOException("pg_dump archive holds a string of " + length + " bytes: it is damaged");
            }
            byte[] piece = new byte[(int) Math.min(length, 8192)];
            long left = length;
            while (left > 0) {
                int n = in.readNBytes(piece, 0, (int) Math.min(left, piece.length));
                position += n;
                if (n == 0) {
                    throw new EOFException("the archive ended inside its table of contents");
                }
                left -= n;
            }
        }
    }
}
