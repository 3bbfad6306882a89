package io.pgbackup.restore;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.pgbackup.compress.BlockCompression;
import io.pgbackup.compress.Decompression;
import io.pgbackup.crypto.DecryptingInputStream;
import io.pgbackup.crypto.Encryption;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.storage.StoredObjectMismatchException;
import io.pgbackup.streams.BulkInputStream;

import org.apache.camel.Exchange;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stored backup read as a restore reads it: the object's bytes are counted and hashed (SHA-256) as they arrive,
 * decompressed, and the dump's bytes counted. When the dump ends, and before that end is passed on to the reader
 * (psql commits when its input ends), everything is compared with what was recorded: the object's size and SHA-256
 * and the dump's size. A mismatch is thrown in place of the end of the stream, so the reader never sees a
 * complete-looking dump that is not the stored one. When the manifest records chunk hashes, the object passes through
 * {@link VerifiedChunks} first: no byte of a chunk reaches the decryptor, the decompressor or the reader before that
 * chunk's SHA-256 matched. Used by restore, the test restore (verify) and the read-back
 * check after an upload.
 */
public final class CheckedBackupStream extends BulkInputStream {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");

    /** What the object must be; a null field is not checked (a backup without a manifest checks nothing). */
    public record Expected(String key, Long objectBytes, String objectSha256, Long rawBytes, Integer chunkBytes,
            List<String> chunkSha256) {

        /** Without chunk hashes: checked only at the end of the stream. */
        public Expected(String key, Long objectBytes, String objectSha256, Long rawBytes) {
            this(key, objectBytes, objectSha256, rawBytes, null, null);
        }

        public static Expected of(BackupManifest manifest, String key) {
            return manifest == null ? new Expected(key, null, null, null)
                    : new Expected(key, manifest.objectBytes, manifest.objectSha256, manifest.rawBytes,
                            manifest.chunkBytes, manifest.chunkSha256);
        }

        /** Whether each chunk is checked before it is used. */
        public boolean checksChunks() {
            return chunkBytes != null && chunkSha256 != null;
        }

        /** The same, without the dump's size (an object checked as stored, not decompressed). */
        public Expected storedOnly() {
            return new Expected(key, objectBytes, objectSha256, null, chunkBytes, chunkSha256);
        }

        boolean checksNothing() {
            return objectBytes == null && objectSha256 == null && rawBytes == null;
        }
    }

    private final Expected expected;
    private final Download download;
    private final InputStream dump;
    private long rawBytes;
    private boolean done;

    /**
     * For the routes: the body (a download of exchange property backupKey) as a checked stream, compared at its end
     * with the run's manifest (nothing is compared when there is none: a backup named with --key that
     * has no manifest).
     */
    public static CheckedBackupStream open(Exchange exchange) throws Exception {
        String key = DatabaseRun.of(exchange).key();
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        InputStream download = exchange.getMessage().getMandatoryBody(InputStream.class);
        if (manifest != null) {
            // a backup of several objects: each checked (HEAD) before anything is read, then read as one stream
            download = ContinuedObjects.open(exchange, key, manifest.objects, manifest.objectBytes, download);
        }
        Expected expected = Expected.of(manifest, key);
        if (manifest != null && !expected.checksChunks()) {
            LOG.warn("the manifest of {} predates chunk hashes: the backup is checked only at the end of the stream, after"
                    + " its statements ran (back it up again to have it checked chunk by chunk)", key);
        }
        Map<Long, PGPPrivateKey> keys = null;
        if (key.endsWith(".gpg")) {
            Encryption encryption = exchange.getContext().getRegistry().lookupByNameAndType("encryption", Encryption.class);
            Encryption.Keys found = encryption == null ? null : encryption.keys(exchange);
            keys = found == null ? Map.of() : found.byId();
        }
        return new CheckedBackupStream(download, Decompression.forKey(exchange.getContext(), key), expected, keys);
    }

    public CheckedBackupStream(InputStream stored, BlockCompression compression, Expected expected) throws IOException {
        this(stored, compression, expected, null);
    }

    /**
     * @param decryptWith the keys to decrypt an encrypted object with (its SHA-256 and size are those of the stored,
     *                    encrypted bytes); null when the object is not encrypted
     */
    public CheckedBackupStream(InputStream stored, BlockCompression compression, Expected expected,
            Map<Long, PGPPrivateKey> decryptWith) throws IOException {
        this.expected = expected;
        InputStream source = stored;
        if (expected.checksChunks()) {
            try {
                source = new VerifiedChunks(stored, expected.key(), expected.chunkBytes(), expected.chunkSha256(),
                        expected.objectBytes());
            } catch (VerifiedChunks.ChunkMismatchException e) {
                stored.close();
                throw new StoredObjectMismatchException(e.getMessage());
            }
        }
        this.download = new Download(source);
        InputStream compressed = download;
        if (decryptWith != null) {
            try {
                compressed = DecryptingInputStream.open(download, decryptWith, "stored object " + expected.key());
            } catch (IOException e) {
                failOnChunkMismatch();
                if (download.failure != null) {
                    throw new IOException("reading " + expected.key() + " from Object Storage failed: "
                            + download.failure.getMessage(), download.failure);
                }
                throw e;
            }
        }
        // no compression: the stored bytes are read as they are (an encrypted object checked without its key)
        this.dump = compression == null ? compressed : compression.decompress(compressed);
    }

    /** Bytes of the stored object read so far. */
    public long objectBytes() {
        return download.count;
    }

    /** Bytes of the dump (decompressed) read so far. */
    public long rawBytes() {
        return rawBytes;
    }

    /** The stored object's SHA-256, once the stream has been read to its end. */
    public String objectSha256() {
        if (!done) {
            throw new IllegalStateException("the SHA-256 of " + expected.key() + " is known only once it has been read whole");
        }
        return download.sha256;
    }


    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (done) {
            return -1;
        }
        int n;
        try {
            n = dump.read(buffer, offset, length);
        } catch (IOException e) {
            failOnChunkMismatch();
            if (download.failure != null) {
                throw new IOException("reading " + expected.key() + " from Object Storage failed after "
                        + download.count + " bytes: " + download.failure.getMessage(), download.failure);
            }
            if (e instanceof DecryptingInputStream.DecryptionException) {
                throw new StoredObjectMismatchException(e.getMessage());
            }
            throw new StoredObjectMismatchException("stored object " + expected.key() + " is damaged: " + e.getMessage()
                    + " (after " + download.count + " bytes of the object)");
        }
        if (n > 0) {
            rawBytes += n;
            return n;
        }
        if (n < 0) {
            finish();
        }
        return n;
    }

    /** The dump has ended: nothing may follow it, and sizes and checksum must be the recorded ones. */
    private void finish() throws IOException {
        byte[] rest = new byte[8192];
        long trailing = 0;
        int n;
        try {
            while ((n = download.read(rest)) >= 0) {
                trailing += n;
            }
        } catch (IOException e) {
            failOnChunkMismatch();
            throw e;
        }
        done = true;
        download.sha256 = HexFormat.of().formatHex(download.digest.digest());
        if (trailing > 0) {
            throw new StoredObjectMismatchException("stored object " + expected.key() + " has " + trailing
                    + " bytes after the end of its compressed data");
        }
        if (expected.objectBytes() != null && download.count != expected.objectBytes()) {
            throw new StoredObjectMismatchException("stored object " + expected.key() + " has " + download.count
                    + " bytes, its manifest records " + expected.objectBytes() + ": it was cut short or replaced");
        }
        if (expected.objectSha256() != null && !expected.objectSha256().equalsIgnoreCase(download.sha256)) {
            throw new StoredObjectMismatchException("stored object " + expected.key() + " has SHA-256 " + download.sha256
                    + ", its manifest records " + expected.objectSha256() + ": the object is corrupted");
        }
        if (expected.rawBytes() != null && rawBytes != expected.rawBytes()) {
            throw new StoredObjectMismatchException("stored object " + expected.key() + " decompresses to " + rawBytes
                    + " bytes of dump, its manifest records " + expected.rawBytes());
        }
    }

    /**
     * A chunk that did not match fails as a mismatch naming the chunk, however the readers above the download (the
     * decryptor, the decompressor) rewrapped it: every chunk passes through {@link Download}, which keeps it.
     */
    private void failOnChunkMismatch() {
        if (download.mismatch != null) {
            throw new StoredObjectMismatchException(download.mismatch.getMessage());
        }
    }

    /** True when nothing was recorded to compare with (a backup without a manifest). */
    public boolean unchecked() {
        return expected.checksNothing();
    }

    @Override
    public void close() throws IOException {
        dump.close();
    }

    /** The object as it arrives: counted, hashed, and its own read failures told apart from format errors. */
    private static final class Download extends BulkInputStream {
        private final InputStream in;
        final MessageDigest digest = sha256();
        long count;
        IOException failure;
        VerifiedChunks.ChunkMismatchException mismatch;
        String sha256;

        Download(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (VerifiedChunks.ChunkMismatchException e) {
                mismatch = e; // not a failure to read: the bytes read are not the ones stored (readers may rewrap it)
                throw e;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            if (n > 0) {
                digest.update(buffer, offset, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("a stored backup is read whole");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available in this Java", e);
            }
        }
    }
}
