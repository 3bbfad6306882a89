package io.pgbackup.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.pgbackup.secret.SecretManagerException;

import org.apache.camel.Exchange;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;

/**
 * Signed manifests: a detached, armored OpenPGP signature of a manifest's exact bytes, stored beside it as
 * {@code KEY.manifest.json.asc}, so that {@code gpg --verify KEY.manifest.json.asc KEY.manifest.json} checks it.
 * <p>
 * The backup host signs with SIGNING_KEY_FILE (+ SIGNING_KEY_PASSPHRASE), or with the armored secret key of the
 * Secret Manager secret SIGNING_KEY_SECRET_ID (active value {@code {"privateKey": "...", "passphrase": "..."}}, read
 * through the same signed call as the decryption key). Every host that lists, restores, verifies or prunes checks
 * with SIGNATURE_PUBLIC_KEYS (armored public key files, comma-separated): with it set, only a manifest signed by one
 * of those keys makes a backup good. Key material and passphrases never reach a log, a message or an argv.
 * The OpenPGP work itself: {@link SigningKey} (choose, unlock, sign) and {@link SignatureCheck} (check).
 */
public class ManifestSignature extends OpenPgpKeySettings {

    /** The signature object beside a manifest. */
    public static final String SUFFIX = ".asc";
    /** A detached signature is a few hundred bytes; anything far larger is not one. */
    public static final int MAX_SIGNATURE_BYTES = 64 * 1024;
    /** Exchange property: the signing key read from Secret Manager (a {@link Signer}). */
    public static final String SIGNER = "manifestSigner";
    /** Exchange property: the manifest's bytes, as they are signed and stored. */
    public static final String MANIFEST_BYTES = "manifestBytes";

    /** What a signature check found. */
    public enum Verdict {
        GOOD, BAD
    }

    /** The outcome of a check: the verdict and one line saying why (key id, or what is wrong). */
    public record Check(Verdict verdict, String note) {
        public boolean good() {
            return verdict == Verdict.GOOD;
        }
    }

    /** An unlocked signing key; printed as its id only. */
    public record Signer(PGPPrivateKey key, PGPPublicKey publicKey) {
        @Override
        public String toString() {
            return "signing key " + OpenPgpKeys.keyId(publicKey.getKeyID());
        }
    }

    private volatile Signer fileSigner;
    private volatile PGPPublicKeyRingCollection verifyingKeys;

    // ---- signing (backup host) ------------------------------------------------------------------------------------

    /** True when manifests are signed (SIGNING_KEY_FILE or SIGNING_KEY_SECRET_ID). */
    public boolean isSigning() {
        return !keyFile.isBlank() || !keySecretId.isBlank();
    }

    /** True when the signing key must come from Secret Manager first (sets exchange property secretId). */
    public boolean needsKeySecret(Exchange exchange) {
        if (keySecretId.isBlank() || !keyFile.isBlank() || exchange.getProperty(SIGNER) != null) {
            return false;
        }
        exchange.setProperty("secretId", keySecretId);
        return true;
    }

    /** Body: Secret Manager's answer for SIGNING_KEY_SECRET_ID; the unlocked key becomes exchange property SIGNER. */
    public void readKeySecret(Exchange exchange) throws Exception {
        KeyFromSecret secret = KeyFromSecret.read(exchange, "SIGNING_KEY_SECRET_ID");
        try {
            exchange.setProperty(SIGNER, signer(secret.armored(), secret.passphrase(), "the secret SIGNING_KEY_SECRET_ID"));
        } catch (OpenPgpKeys.KeyException e) {
            throw new SecretManagerException(e.getMessage());
        }
    }

    /** Exchange property {@value #MANIFEST_BYTES}: returns their armored detached signature. */
    public byte[] sign(Exchange exchange) throws IOException {
        byte[] manifest = exchange.getProperty(MANIFEST_BYTES, byte[].class);
        Signer signer = keyFile.isBlank() ? exchange.getProperty(SIGNER, Signer.class) : signerFromFile();
        if (manifest == null || signer == null) {
            throw new IllegalStateException("no manifest or no signing key to sign it with");
        }
        return sign(manifest, signer);
    }

    /** The armored detached signature (binary document, SHA-256) of {@code data}. */
    public static byte[] sign(byte[] data, Signer signer) throws IOException {
        return SigningKey.sign(data, signer);
    }

    /** SIGNING_KEY_FILE's key, unlocked once per process. */
    public Signer signerFromFile() {
        if (fileSigner == null) {
            byte[] armored;
            try {
                armored = Files.readAllBytes(Path.of(keyFile));
            } catch (IOException e) {
                throw new OpenPgpKeys.KeyException("'" + keyFile + "' cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            fileSigner = signer(armored, passphrase.reveal().toCharArray(), "'" + keyFile + "'");
        }
        return fileSigner;
    }

    /**
     * The key that signs, from an armored secret key: the newest (sub)key whose flags allow signing data, not
     * revoked or expired, unlocked with the passphrase.
     */
    public static Signer signer(byte[] armored, char[] passphrase, String source) {
        return SigningKey.of(armored, passphrase, source);
    }

    // ---- checking (every host that lists, restores, verifies or prunes) --------------------------------------------

    /** True when SIGNATURE_PUBLIC_KEYS is set: only manifests signed by one of its keys make a backup good. */
    public boolean isVerifying() {
        return !publicKeys.isBlank();
    }

    /** Whether {@code signature} (armored or binary) is a good signature of {@code data} by one of the public keys. */
    public Check verify(byte[] data, byte[] signature) {
        return SignatureCheck.verify(data, signature, verifyingKeys());
    }

    private PGPPublicKeyRingCollection verifyingKeys() {
        if (verifyingKeys == null) {
            verifyingKeys = publicKeys(publicKeys);
        }
        return verifyingKeys;
    }

    /** Every key of a comma list of armored public key files (SIGNATURE_PUBLIC_KEYS). */
    public static PGPPublicKeyRingCollection publicKeys(String files) {
        java.util.List<PGPPublicKeyRing> rings = new java.util.ArrayList<>();
        OpenPgpKeys.forEachKeyFile(files, (name, content) -> OpenPgpKeys.publicKeyRings(content, name,
                "; hosts that check signatures need no private key").forEach(rings::add));
        if (rings.isEmpty()) {
            throw new OpenPgpKeys.KeyException("names no public key");
        }
        return new PGPPublicKeyRingCollection(rings);
    }

    /** The signature object beside a manifest. */
    public static String keyOf(String manifestKey) {
        return manifestKey + SUFFIX;
    }

    @Override
    public void setPublicKeys(String publicKeys) {
        super.setPublicKeys(publicKeys);
        this.verifyingKeys = null;
    }

    @Override
    public String toString() {
        return "ManifestSignature[" + (isSigning() ? "signing" : "not signing") + ", "
                + (isVerifying() ? "checking" : "not checking") + "]";
    }
}
