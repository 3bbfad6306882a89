package io.pgbackup.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

import io.pgbackup.streams.BulkInputStream;

import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

/**
 * OpenPGP public-key encryption of a stream, as it is read (RFC 4880): one session key, encrypted to every recipient
 * (key rotation, a break-glass key), AES-256 with an integrity packet (MDC), the data in a literal-data packet, no
 * OpenPGP compression (the data is compressed already). What {@code gpg --decrypt} reads. Pull-based like the
 * compression before it: nothing is encrypted ahead of the reader (the upload) by more than one 64 KiB chunk, on the
 * reader's thread; the bulk cipher is the JDK's AES (the CPU's AES instructions), only the small per-recipient key
 * encryption uses BouncyCastle's own code.
 */
public final class EncryptingInputStream extends BulkInputStream {

    private static final int CHUNK = 64 * 1024;

    private final InputStream source;
    private final Buffer ciphertext = new Buffer();
    private final PGPEncryptedDataGenerator encryption;
    private final PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
    private final OutputStream plaintext;
    private final byte[] chunk = new byte[CHUNK];
    private boolean finished;
    private boolean closed;

    public EncryptingInputStream(InputStream source, List<OpenPgpKeys.Recipient> recipients, String fileName)
            throws IOException {
        this.source = source;
        SecureRandom random = new SecureRandom();
        encryption = new PGPEncryptedDataGenerator(new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                .setWithIntegrityPacket(true).setSecureRandom(random));
        for (OpenPgpKeys.Recipient recipient : recipients) {
            encryption.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(recipient.key()).setSecureRandom(random));
        }
        try {
            OutputStream encrypted = encryption.open(ciphertext, new byte[CHUNK]);
            plaintext = literal.open(encrypted, PGPLiteralData.BINARY, fileName, new Date(), new byte[CHUNK]);
        } catch (PGPException e) {
            throw new IOException("OpenPGP encryption could not start: " + e.getMessage(), e);
        }
    }


    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (nothingAsked(closed, length)) {
            return 0;
        }
        while (ciphertext.available() == 0 && !finished) {
            int n = source.read(chunk);
            if (n < 0) {
                literal.close();
                encryption.close();
                finished = true;
            } else if (n > 0) {
                plaintext.write(chunk, 0, n);
            }
        }
        return ciphertext.available() == 0 ? -1 : ciphertext.take(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            source.close();
        }
    }

    /** What the encryption wrote and the reader has not taken yet: grows by at most a chunk's worth at a time. */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[2 * CHUNK];
        private int start;
        private int end;

        int available() {
            return end - start;
        }

        int take(byte[] target, int offset, int length) {
            int n = Math.min(length, end - start);
            System.arraycopy(bytes, start, target, offset, n);
            start += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return n;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            if (end + length > bytes.length) {
                if (start > 0) {
                    System.arraycopy(bytes, start, bytes, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end + length > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, end + length));
                }
            }
            System.arraycopy(data, offset, bytes, end, length);
            end += length;
        }
    }
}
