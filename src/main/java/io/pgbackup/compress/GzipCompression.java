package io.pgbackup.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

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

    public GzipCompression() {
        super(DEFAULT_LEVEL);
    }

    @Override
    public String extension() {
        return "gz";
    }

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    int minLevel() {
        return 1;
    }

    @Override
    int maxLevel() {
        return 9;
    }

    @Override
    byte[] compressBlock(byte[] data, int length, int level) throws IOException {
        ByteArrayOutputStream member = new ByteArrayOutputStream(Math.max(64, length / 3));
        try (GZIPOutputStream gzip = new GZIPOutputStream(member, 64 * 1024) {
            {
                def.setLevel(level);
            }
        }) {
            gzip.write(data, 0, length);
        }
        return member.toByteArray();
    }

    @Override
    public InputStream decompress(InputStream compressed) throws IOException {
        return new GZIPInputStream(compressed, 64 * 1024);
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
