package io.pgbackup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;

/**
 * Gzip with a settable level on every core (BACKUP_COMPRESSION=gzip, the default): each 4 MiB block becomes a gzip
 * member and the members, in order, are one gzip file that gunzip, zcat and {@code gunzip -c | psql} read as usual.
 * <p>
 * The backup route calls {@link #compress} (a stream, so the upload runs while pg_dump is still dumping). It is also
 * a Camel data format: {@code marshal: {custom: {ref: gzip}}} works in routes users add, but a marshal step collects
 * its whole output before the next step starts, which is why the backup route does not use it.
 */
public class GzipCompression extends BlockCompression implements DataFormat, DataFormatName {

    /** Level 1: the benchmark (docs/benchmarks.md) shows it at about 4x the speed of level 6 for ~8% more bytes. */
    public static final int DEFAULT_LEVEL = 1;

    /** Magic, deflate, no flags, no time, no extra flags, OS unknown: what GZIPOutputStream writes too. */
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(() -> new Deflater(DEFAULT_LEVEL, true));

    public GzipCompression() {
        super("gzip", "gz", DEFAULT_LEVEL);
    }

    @Override
    byte[] compressBlock(byte[] data, int length, int level) throws IOException {
        // one gzip member (RFC 1952): header, raw deflate, CRC-32 and size. A Deflater per worker thread, reset for
        // each block, and a reusable output buffer: no zlib state or output buffers made and dropped per block.
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        deflater.setLevel(level);
        deflater.setInput(data, 0, length);
        deflater.finish();
        byte[] out = outputBuffer(length + length / 8 + 64);
        System.arraycopy(HEADER, 0, out, 0, HEADER.length);
        int size = HEADER.length;
        while (!deflater.finished()) {
            if (size == out.length) {
                out = growOutputBuffer(out);
            }
            size += deflater.deflate(out, size, out.length - size);
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        byte[] member = Arrays.copyOf(out, size + 8);
        writeIntLE(member, size, (int) crc.getValue());
        writeIntLE(member, size + 4, length);
        return member;
    }

    private static void writeIntLE(byte[] target, int at, int value) {
        target[at] = (byte) value;
        target[at + 1] = (byte) (value >>> 8);
        target[at + 2] = (byte) (value >>> 16);
        target[at + 3] = (byte) (value >>> 24);
    }

    /** Every member to the real end of the stream (not Java's GZIPInputStream: see {@link GzipMembersInputStream}). */
    @Override
    public InputStream decompress(InputStream compressed) {
        return new GzipMembersInputStream(compressed);
    }

    @Override
    public String getDataFormatName() {
        return "pg-backup-gzip";
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        InputStream raw = exchange.getContext().getTypeConverter().mandatoryConvertTo(InputStream.class, exchange, graph);
        try (InputStream compressed = compress(raw)) {
            compressed.transferTo(stream);
        }
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        // Camel closes the input of unmarshal when it returns, so a lazily inflating stream cannot be handed on
        return decompress(stream).readAllBytes();
    }
}
