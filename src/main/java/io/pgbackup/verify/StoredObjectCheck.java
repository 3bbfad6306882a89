package io.pgbackup.verify;

import java.io.InputStream;
import java.io.OutputStream;

import io.pgbackup.compress.Decompression;
import io.pgbackup.restore.CheckedBackupStream;
import io.pgbackup.storage.StreamingUpload;

import org.apache.camel.Exchange;

/**
 * VERIFY_DOWNLOAD=true: the object just stored is read back whole, as a restore would read it
 * ({@link CheckedBackupStream}): its size and SHA-256 must be the ones computed while uploading, and it must
 * decompress, every member, to the dump's size.
 */
public class StoredObjectCheck {

    /** Body: the object's stream. */
    public void readWhole(Exchange exchange) throws Exception {
        String key = exchange.getProperty("backupKey", String.class);
        CheckedBackupStream.Expected expected = new CheckedBackupStream.Expected(key,
                exchange.getProperty(StreamingUpload.COMPRESSED_BYTES, Long.class),
                exchange.getProperty(StreamingUpload.SHA256, String.class),
                exchange.getProperty("rawBytes", Long.class));
        InputStream download = exchange.getMessage().getMandatoryBody(InputStream.class);
        try (CheckedBackupStream in = new CheckedBackupStream(download, Decompression.forKey(exchange.getContext(), key),
                expected)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
