package io.pgbackup.compress;

import java.io.InputStream;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * Reads a stored backup back: the key's extension says how it was compressed ({@code .sql.zst}: the zstd bean,
 * else the gzip bean). One place for the restore, the test restore and the read-back check.
 */
public class Decompression {

    /** The body (a download of {@code key}) as a stream that inflates as it is read. */
    public InputStream decompress(Exchange exchange, String key) throws Exception {
        return forKey(exchange.getContext(), key).decompress(exchange.getMessage().getMandatoryBody(InputStream.class));
    }

    public static BlockCompression forKey(CamelContext context, String key) {
        String name = key != null && key.endsWith(".zst") ? "zstd" : "gzip";
        return context.getRegistry().lookupByNameAndType(name, BlockCompression.class);
    }
}
