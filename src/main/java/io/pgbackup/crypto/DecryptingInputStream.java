package io.pgbackup.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.pgbackup.streams.WatchedInputStream;

import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.jcajce.JceSessionKeyDataDecryptorFactoryBuilder;

/**
 * Reads an OpenPGP message encrypted to one of our keys (what {@link EncryptingInputStream} or gpg wrote): the session
 * key is recovered with the private key whose id the message names, the data decrypted with the JDK's AES, and
 * when the data ends its integrity is checked (MDC) before the end is passed on: a modified object fails there,
 * before a restore could commit. A message without integrity protection is refused.
 */
public final class DecryptingInputStream extends WatchedInputStream {

    /** The message is not for the keys at hand, or is not what it should be. The message names key ids only. */
    public static class DecryptionException extends IOException {
        public DecryptionException(String message) {
            super(message);
        }
    }

    private final PGPPublicKeyEncryptedData encrypted;
    private final String what;
    private boolean checked;

    private DecryptingInputStream(InputStream clear, PGPPublicKeyEncryptedData encrypted, String what) {
        super(clear);
        this.encrypted = encrypted;
        this.what = what;
    }

    /** The key ids a message is encrypted to (read from its start). */
    public static List<Long> recipientsOf(PGPEncryptedDataList list) {
        List<Long> ids = new ArrayList<>();
        for (Iterator<PGPEncryptedData> it = list.getEncryptedDataObjects(); it.hasNext();) {
            PGPEncryptedData data = it.next();
            if (data instanceof PGPPublicKeyEncryptedData pk) {
                ids.add(pk.getKeyID());
            }
        }
        return ids;
    }

    /** Opens {@code message} (binary OpenPGP) with one of {@code keys}; {@code what} names it in errors. */
    public static InputStream open(InputStream message, Map<Long, PGPPrivateKey> keys, String what) throws IOException {
        PGPEncryptedDataList list = encryptedDataList(message, what);
        PGPPublicKeyEncryptedData chosen = null;
        for (Iterator<PGPEncryptedData> it = list.getEncryptedDataObjects(); it.hasNext();) {
            PGPEncryptedData data = it.next();
            if (data instanceof PGPPublicKeyEncryptedData pk && keys.containsKey(pk.getKeyID())) {
                chosen = pk;
                break;
            }
        }
        if (chosen == null) {
            throw new DecryptionException(what + " is encrypted to the key(s) " + OpenPgpKeys.ids(recipientsOf(list))
                    + ", and the decryption key holds " + OpenPgpKeys.ids(keys.keySet()) + ": no key to open it");
        }
        if (!chosen.isIntegrityProtected()) {
            throw new DecryptionException(what + " is encrypted without integrity protection: refused");
        }
        try {
            PGPSessionKey session = chosen.getSessionKey(new BcPublicKeyDataDecryptorFactory(keys.get(chosen.getKeyID())));
            InputStream clear = chosen.getDataStream(new JceSessionKeyDataDecryptorFactoryBuilder().build(session));
            BcPGPObjectFactory inner = new BcPGPObjectFactory(clear);
            Object packet = inner.nextObject();
            if (packet instanceof PGPCompressedData compressed) {
                inner = new BcPGPObjectFactory(compressed.getDataStream());
                packet = inner.nextObject();
            }
            if (!(packet instanceof PGPLiteralData literal)) {
                throw new DecryptionException(what + " decrypts to something other than data: it was modified");
            }
            return new DecryptingInputStream(literal.getInputStream(), chosen, what);
        } catch (PGPException | RuntimeException e) {
            throw new DecryptionException(what + " cannot be decrypted with key " + OpenPgpKeys.keyId(chosen.getKeyID())
                    + " (" + e.getClass().getSimpleName() + "): it was modified, or the key is not the one it names");
        }
    }

    static PGPEncryptedDataList encryptedDataList(InputStream message, String what) throws IOException {
        BcPGPObjectFactory factory = new BcPGPObjectFactory(message);
        try {
            Object first = factory.nextObject();
            while (first instanceof PGPMarker) {
                first = factory.nextObject();
            }
            if (first instanceof PGPEncryptedDataList list) {
                return list;
            }
        } catch (IOException | RuntimeException e) {
            // named below
        }
        throw new DecryptionException(what + " is not an OpenPGP encrypted message");
    }

    @Override
    protected IOException failed(Exception e) {
        return new DecryptionException(what + " cannot be read as OpenPGP data (" + e.getMessage()
                + "): it was cut short or modified");
    }

    /** At the end of the data, before the end is passed on: the integrity packet must match. */
    @Override
    protected void atEnd() throws IOException {
        if (checked) {
            return;
        }
        checked = true;
        boolean intact;
        try {
            intact = encrypted.verify();
        } catch (PGPException | RuntimeException e) {
            intact = false;
        }
        if (!intact) {
            throw new DecryptionException(what + " fails its OpenPGP integrity check (MDC): the object was modified");
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("an encrypted backup is read whole");
    }
}
