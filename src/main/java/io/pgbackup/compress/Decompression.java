package io.pgbackup.compress;

import org.apache.camel.CamelContext;

/**
 * How a stored backup was compressed, from its key's extension ({@code .sql.zst}: the zstd bean, else the gzip
 * bean; a {@code .gpg} after it is the encryption): one place for the restore, the test restore and the read-back check.
 */
public final class Decompression {

    private Decompression() {
    }

    public static BlockCompression forKey(CamelContext context, String key) {
        String plain = key == null ? "" : key.replaceFirst("\\.gpg$", "");
        String name = plain.endsWith(".zst") ? "zstd" : "gzip";
        return context.getRegistry().lookupByNameAndType(name, BlockCompression.class);
    }
}
