package io.pgbackup.storage;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The SHA-256 of every {@code chunkBytes}-long chunk of a stream, the last one shorter, computed as the bytes pass
 * (no buffer of its own): the upload records them in the manifest ({@code chunkBytes}, {@code chunkSha256}), and a
 * restore checks each chunk before it is used (restore/VerifiedChunks).
 */
public final class ChunkHashes {

    /** The smallest and largest chunk a manifest may record (a reader holds two chunks in memory). */
    public static final int MIN_CHUNK_BYTES = 64 * 1024;
    public static final int MAX_CHUNK_BYTES = 64 * 1024 * 1024;

    private final int chunkBytes;
    private final MessageDigest digest = StreamingUpload.digest("SHA-256");
    private final List<String> hashes = new ArrayList<>();
    private long inChunk;

    public ChunkHashes(int chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    public void update(byte[] data, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int n = (int) Math.min(end - i, chunkBytes - inChunk);
            digest.update(data, i, n);
            inChunk += n;
            i += n;
            if (inChunk == chunkBytes) {
                hashes.add(HexFormat.of().formatHex(digest.digest()));
                inChunk = 0;
            }
        }
    }

    /** The hashes of every chunk, the last (shorter) one included; call once, at the end of the stream. */
    public List<String> finish() {
        if (inChunk > 0) {
            hashes.add(HexFormat.of().formatHex(digest.digest()));
            inChunk = 0;
        }
        return List.copyOf(hashes);
    }

    public int chunkBytes() {
        return chunkBytes;
    }
}
