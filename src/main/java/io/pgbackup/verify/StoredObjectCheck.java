package io.pgbackup.verify;

import java.io.InputStream;
import java.io.OutputStream;

import io.pgbackup.compress.BlockCompression;
import io.pgbackup.compress.Decompression;
import io.pgbackup.restore.CheckedBackupStream;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;

/**
 * VERIFY_DOWNLOAD=true: the object just stored is read back whole, as a restore would read it
 * ({@link CheckedBackupStream}): its size and SHA-256 must be the ones computed while uploading, and it must
 * decompress, every member, to the dump's size. Each chunk is checked against the chunk hashes computed while
 * uploading before it is decrypted or decompressed ({@link io.pgbackup.restore.VerifiedChunks}).
 */
public class StoredObjectCheck {

    /** Body: the object's stream. */
    public void readWhole(Exchange exchange) throws Exception {
        DatabaseRun run = DatabaseRun.of(exchange);
        String key = run.key();
        CheckedBackupStream.Expected expected = new CheckedBackupStream.Expected(key, run.compressedBytes(),
                run.stored().sha256(), run.rawBytes(), run.stored().chunkBytes(), run.stored().chunkSha256());
        // a backup of several objects (KEY, KEY.part2 ...) is read back as the one stream it was stored as
        InputStream download = io.pgbackup.restore.ContinuedObjects.open(exchange, key,
                run.stored().objects(), expected.objectBytes(),
                exchange.getMessage().getMandatoryBody(InputStream.class));
        BlockCompression compression = Decompression.forKey(exchange.getContext(), key);
        java.util.Map<Long, org.bouncycastle.openpgp.PGPPrivateKey> keys = null;
        if (key.endsWith(".gpg")) {
            if (encryption != null && encryption.canDecrypt(exchange)) {
                keys = encryption.keys(exchange).byId();
            } else {
                // the backup host has no private key, as it should: the stored bytes are checked as they were sent
                compression = null;
                expected = expected.storedOnly();
                run.setReadBackNote(" (encrypted: checked as stored; no decryption key on this host)");
            }
        }
        try (CheckedBackupStream in = new CheckedBackupStream(download, compression, expected, keys)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }


    private io.pgbackup.crypto.Encryption encryption;

    public void setEncryption(io.pgbackup.crypto.Encryption encryption) {
        this.encryption = encryption;
    }
}
