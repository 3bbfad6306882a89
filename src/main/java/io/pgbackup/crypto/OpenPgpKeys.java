package io.pgbackup.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * OpenPGP keys as users make them with gpg ({@code gpg --armor --export} / {@code --export-secret-keys}): the public
 * keys a backup is encrypted to (ENCRYPTION_PUBLIC_KEYS), and the secret key that decrypts it (DECRYPTION_KEY_FILE, or
 * the armored key in a Secret Manager secret). Every problem is a {@link KeyException} whose message names what is
 * wrong and never holds key material or a passphrase.
 */
public final class OpenPgpKeys {

    private OpenPgpKeys() {
    }

    /** A key that cannot be used; the message is safe to print. */
    public static class KeyException extends IllegalArgumentException {
        public KeyException(String message) {
            super(message);
        }
    }

    /** A recipient: the (sub)key that encrypts, and the id users see in gpg (16 hex digits). */
    public record Recipient(PGPPublicKey key, String keyId, String userId) {
        @Override
        public String toString() {
            return keyId + (userId.isEmpty() ? "" : " (" + userId + ")");
        }
    }

    /** The 16-hex-digit key id, as gpg --list-keys --keyid-format long shows it. */
    public static String keyId(long id) {
        return String.format(Locale.ROOT, "%016X", id);
    }

    /** Every file of a comma list, each one or more armored public keys: one encryption (sub)key per key. */
    public static List<Recipient> recipients(String files) {
        List<Recipient> recipients = new ArrayList<>();
        forEachKeyFile(files, (name, content) -> recipients.addAll(recipientsIn(content, name)));
        if (recipients.isEmpty()) {
            throw new KeyException("names no key file");
        }
        return recipients;
    }

    /** Each file of a comma list of key files (blank entries left out), read whole and handed to {@code use} in turn. */
    static void forEachKeyFile(String files, java.util.function.BiConsumer<String, byte[]> use) {
        for (String name : files.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            Path file = Path.of(name.strip());
            byte[] content;
            try {
                content = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new KeyException("'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            use.accept(file.toString(), content);
        }
    }

    /**
     * The public keys of an armored (or binary) key file; a private key is refused ({@code noPrivateKey} says why the
     * host needs none).
     */
    static PGPPublicKeyRingCollection publicKeyRings(byte[] content, String source, String noPrivateKey) {
        if (new String(content, StandardCharsets.US_ASCII).contains("PRIVATE KEY BLOCK")) {
            throw new KeyException("'" + source + "' holds a private key: give the public key (gpg --armor --export KEY)"
                    + noPrivateKey);
        }
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(content))) {
            return new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException | RuntimeException e) {
            throw new KeyException("'" + source + "' is not an OpenPGP public key (gpg --armor --export KEY > FILE)");
        }
    }

    /** The secret keys of an armored secret key; a public key is refused ({@code purpose}: "decrypting", "signing"). */
    static PGPSecretKeyRingCollection secretKeyRings(byte[] armored, String source, String purpose) {
        String text = new String(armored, StandardCharsets.US_ASCII);
        if (text.contains("PUBLIC KEY BLOCK") && !text.contains("PRIVATE KEY BLOCK")) {
            throw new KeyException(source + " holds a public key: " + purpose + " needs the secret key"
                    + " (gpg --armor --export-secret-keys KEY)");
        }
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            return new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException | RuntimeException e) {
            throw new KeyException(source + " is not an OpenPGP secret key (gpg --armor --export-secret-keys KEY > FILE)");
        }
    }

    static List<Recipient> recipientsIn(byte[] content, String source) {
        PGPPublicKeyRingCollection rings = publicKeyRings(content, source, "; the backup host needs no private key");
        List<Recipient> recipients = new ArrayList<>();
        for (Iterator<PGPPublicKeyRing> it = rings.getKeyRings(); it.hasNext();) {
            PGPPublicKeyRing ring = it.next();
            PGPPublicKey primary = ring.getPublicKey();
            String userId = firstUserId(primary);
            PGPPublicKey encryption = null;
            for (Iterator<PGPPublicKey> keys = ring.getPublicKeys(); keys.hasNext();) {
                PGPPublicKey key = keys.next();
                if (key.isEncryptionKey() && !key.hasRevocation() && !expired(key) && (encryption == null || !key.isMasterKey())) {
                    encryption = key;
                }
            }
            if (primary.hasRevocation()) {
                throw new KeyException("the key " + keyId(primary.getKeyID()) + " in '" + source + "' is revoked");
            }
            if (encryption == null) {
                throw new KeyException("the key " + keyId(primary.getKeyID()) + " in '" + source + "' has no usable"
                        + " encryption subkey (expired, revoked, or a signing-only key: gpg --quick-add-key FPR cv25519 encr)");
            }
            recipients.add(new Recipient(encryption, keyId(encryption.getKeyID()), userId));
        }
        if (recipients.isEmpty()) {
            throw new KeyException("'" + source + "' holds no public key");
        }
        return recipients;
    }

    static boolean expired(PGPPublicKey key) {
        long valid = key.getValidSeconds();
        return valid > 0 && key.getCreationTime().toInstant().plusSeconds(valid).isBefore(java.time.Instant.now());
    }

    private static String firstUserId(PGPPublicKey key) {
        Iterator<String> ids = key.getUserIDs();
        return ids.hasNext() ? ids.next() : "";
    }

    /**
     * The private keys of an armored secret key, unlocked with the passphrase, by key id (every subkey that can
     * decrypt). A wrong passphrase or a file that is no secret key is a {@link KeyException}.
     */
    public static Map<Long, PGPPrivateKey> privateKeys(byte[] armored, char[] passphrase, String source) {
        PGPSecretKeyRingCollection rings = secretKeyRings(armored, source, "decrypting");
        Map<Long, PGPPrivateKey> keys = new LinkedHashMap<>();
        for (Iterator<PGPSecretKeyRing> it = rings.getKeyRings(); it.hasNext();) {
            for (Iterator<PGPSecretKey> secrets = it.next().getSecretKeys(); secrets.hasNext();) {
                PGPSecretKey secret = secrets.next();
                if (!secret.getPublicKey().isEncryptionKey() || secret.isPrivateKeyEmpty()) {
                    continue;
                }
                try {
                    keys.put(secret.getKeyID(), secret.extractPrivateKey(
                            new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase)));
                } catch (PGPException | RuntimeException e) {
                    throw new KeyException("the passphrase does not unlock the secret key " + keyId(secret.getKeyID())
                            + " of " + source);
                }
            }
        }
        if (keys.isEmpty()) {
            throw new KeyException(source + " holds no secret key that can decrypt");
        }
        return keys;
    }

    /** Key ids for a log line: "ABCD...1234, 5678...". */
    public static String ids(Iterable<Long> ids) {
        List<String> text = new ArrayList<>();
        ids.forEach(id -> text.add(keyId(id)));
        return String.join(", ", text);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().withUpperCase().formatHex(bytes);
    }
}
