package io.pgbackup.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;

/**
 * Zstandard (BACKUP_COMPRESSION=zstd): each 4 MiB block becomes a zstd frame; concatenated frames are one file for
 * {@code zstd -dc backup.sql.zst | psql}. Faster and smaller than gzip on dumps; gzip stays the default because every
 * machine can read it.
 */
public class ZstdCompression extends BlockCompression {

    /**
     * Level 1: in the benchmark (docs/benchmarks.md) about twice the speed of level 3, and on that dump even a smaller
     * object (0.85x the seed's gzip -6 against 0.92x for level 3).
     */
    public static final int DEFAULT_LEVEL = 1;

    public ZstdCompression() {
        super("zstd", "zst", DEFAULT_LEVEL);
    }

    @Override
    byte[] compressBlock(byte[] data, int length, int level) throws IOException {
        byte[] frame = outputBuffer((int) Zstd.compressBound(length));
        long size = Zstd.compressByteArray(frame, 0, frame.length, data, 0, length, level);
        if (Zstd.isError(size)) {
            throw new IOException("zstd compression failed: " + Zstd.getErrorName(size));
        }
        return Arrays.copyOf(frame, (int) size);
    }

    @Override
    public InputStream decompress(InputStream compressed) throws IOException {
        return new ZstdInputStream(compressed);
    }
}
