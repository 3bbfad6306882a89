package io.pgbackup.verify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.pgbackup.compress.BlockCompression;
import io.pgbackup.compress.Decompression;
import io.pgbackup.storage.StoredObjectMismatchException;

import org.apache.camel.Exchange;

/**
 * Reads a stored backup back whole (VERIFY_DOWNLOAD=true, and the verify command): its SHA-256 and size must be the
 * ones recorded, and it must decompress to the end. Checking the digest while the stream is read also serves the
 * test restore: {@link #digesting} wraps the download, {@link #compare} checks it once psql has read it all.
 */
public class StoredObjectCheck {

    public static final String DIGEST = "downloadDigest";
    public static final String COUNTED = "downloadCounted";

    /** Body: the object's stream; reads it all, decompressing with the compression its key names. */
    public void readWhole(Exchange exchange) throws Exception {
        String key = exchange.getProperty("backupKey", String.class);
        BlockCompression compression = Decompression.forKey(exchange.getContext(), key);
        InputStream digesting = digesting(exchange);
        long raw;
        try (InputStream in = compression.decompress(digesting)) {
            raw = in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StoredObjectMismatchException("stored object " + key + " does not decompress: " + e.getMessage());
        }
        compare(exchange, exchange.getProperty("objectSha256", String.class),
                exchange.getProperty("compressedBytes", Long.class));
        Long expectedRaw = exchange.getProperty("rawBytes", Long.class);
        if (expectedRaw != null && expectedRaw != raw) {
            throw new StoredObjectMismatchException("stored object " + key + " decompresses to " + raw + " bytes, the dump had "
                    + expectedRaw);
        }
    }

    /** Wraps the body (a download) so its SHA-256 and length are known once it has been read. */
    public InputStream digesting(Exchange exchange) throws Exception {
        InputStream body = exchange.getMessage().getMandatoryBody(InputStream.class);
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long[] counted = {0};
        exchange.setProperty(DIGEST, sha256);
        exchange.setProperty(COUNTED, counted);
        return new DigestInputStream(body, sha256) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    counted[0]++;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    counted[0] += n;
                }
                return n;
            }
        };
    }

    /** After the download was read to its end: its SHA-256 and size must be the expected ones. */
    public void compare(Exchange exchange, String expectedSha256, Long expectedBytes) {
        String key = exchange.getProperty("backupKey", String.class);
        MessageDigest digest = exchange.getProperty(DIGEST, MessageDigest.class);
        long[] counted = exchange.getProperty(COUNTED, long[].class);
        if (digest == null || counted == null) {
            throw new IllegalStateException("the download of " + key + " was not read through the digest");
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (expectedBytes != null && counted[0] != expectedBytes) {
            throw new StoredObjectMismatchException("stored object " + key + " has " + counted[0] + " bytes, "
                    + expectedBytes + " were recorded");
        }
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
            throw new StoredObjectMismatchException("stored object " + key + " has SHA-256 " + actual + ", "
                    + expectedSha256 + " was recorded: the object is corrupted");
        }
    }

    /** After the test restore read the download: it must be the object the manifest describes. */
    public void compareWithManifest(Exchange exchange) {
        io.pgbackup.manifest.BackupManifest manifest = exchange.getProperty(VerifyRestore.MANIFEST,
                io.pgbackup.manifest.BackupManifest.class);
        if (manifest == null) {
            throw new IllegalStateException("no manifest was read for " + exchange.getProperty("backupKey"));
        }
        compare(exchange, manifest.objectSha256, manifest.objectBytes);
    }
}
