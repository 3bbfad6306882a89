package io.pgbackup.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Iterator;


import io.pgbackup.secret.Secret;
import io.pgbackup.secret.SecretManagerException;

import org.apache.camel.Exchange;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Signed manifests: a detached, armored OpenPGP signature of a manifest's exact bytes, stored beside it as
 * {@code KEY.manifest.json.asc}, so that {@code gpg --verify KEY.manifest.json.asc KEY.manifest.json} checks it.
 * <p>
 * The backup host signs with SIGNING_KEY_FILE (+ SIGNING_KEY_PASSPHRASE), or with the armored secret key of the
 * Secret Manager secret SIGNING_KEY_SECRET_ID (active value {@code {"privateKey": "...", "passphrase": "..."}}, read
 * through the same signed call as the decryption key). Every host that lists, restores, verifies or prunes checks
 * with SIGNATURE_PUBLIC_KEYS (armored public key files, comma-separated): with it set, only a manifest signed by one
 * of those keys makes a backup good. Key material and passphrases never reach a log, a message or an argv.
 */
public class ManifestSignature {

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

    private String keyFile = "";
    private Secret passphrase = Secret.of("");
    private String keySecretId = "";
    private String publicKeys = "";
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
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(
                    signer.publicKey().getAlgorithm(), HashAlgorithmTags.SHA256), signer.publicKey());
            generator.init(PGPSignature.BINARY_DOCUMENT, signer.key());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, new Date());
            hashed.setIssuerFingerprint(false, signer.publicKey());
            generator.setHashedSubpackets(hashed.generate());
            generator.update(data);
            ByteArrayOutputStream armored = new ByteArrayOutputStream();
            try (ArmoredOutputStream out = ArmoredOutputStream.builder().build(armored)) {
                generator.generate().encode(out);
            }
            return armored.toByteArray();
        } catch (PGPException e) {
            throw new IOException("the manifest could not be signed with " + signer + " (" + e.getMessage() + ")");
        }
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
        PGPSecretKeyRingCollection rings = OpenPgpKeys.secretKeyRings(armored, source, "signing");
        PGPSecretKey chosen = null;
        for (Iterator<PGPSecretKeyRing> it = rings.getKeyRings(); it.hasNext();) {
            for (Iterator<PGPSecretKey> secrets = it.next().getSecretKeys(); secrets.hasNext();) {
                PGPSecretKey secret = secrets.next();
                PGPPublicKey key = secret.getPublicKey();
                if (secret.isPrivateKeyEmpty() || !canSign(key) || key.hasRevocation() || OpenPgpKeys.expired(key)) {
                    continue;
                }
                if (chosen == null || key.getCreationTime().after(chosen.getPublicKey().getCreationTime())) {
                    chosen = secret;
                }
            }
        }
        if (chosen == null) {
            throw new OpenPgpKeys.KeyException(source + " holds no key that can sign (a key made with gpg --quick-gen-key"
                    + " NAME ed25519 sign, or a signing subkey: gpg --quick-add-key FPR ed25519 sign)");
        }
        try {
            return new Signer(chosen.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(passphrase)), chosen.getPublicKey());
        } catch (PGPException | RuntimeException e) {
            throw new OpenPgpKeys.KeyException("the passphrase does not unlock the signing key "
                    + OpenPgpKeys.keyId(chosen.getKeyID()) + " of " + source);
        }
    }

    /** Whether a key's self-signatures give it the sign-data flag. */
    private static boolean canSign(PGPPublicKey key) {
        for (Iterator<PGPSignature> it = key.getSignatures(); it.hasNext();) {
            PGPSignature signature = it.next();
            if (signature.getHashedSubPackets() != null
                    && (signature.getHashedSubPackets().getKeyFlags() & KeyFlags.SIGN_DATA) != 0) {
                return true;
            }
        }
        return false;
    }

    // ---- checking (every host that lists, restores, verifies or prunes) --------------------------------------------

    /** True when SIGNATURE_PUBLIC_KEYS is set: only manifests signed by one of its keys make a backup good. */
    public boolean isVerifying() {
        return !publicKeys.isBlank();
    }

    /** Whether {@code signature} (armored or binary) is a good signature of {@code data} by one of the public keys. */
    public Check verify(byte[] data, byte[] signature) {
        return verify(data, signature, verifyingKeys());
    }

    static Check verify(byte[] data, byte[] signature, PGPPublicKeyRingCollection keys) {
        if (signature.length > MAX_SIGNATURE_BYTES) {
            return new Check(Verdict.BAD, "the signature is larger than " + MAX_SIGNATURE_BYTES + " bytes");
        }
        PGPSignatureList signatures;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
            Object read = new PGPObjectFactory(in, new BcKeyFingerprintCalculator()).nextObject();
            if (!(read instanceof PGPSignatureList list) || list.isEmpty()) {
                return new Check(Verdict.BAD, "the .asc holds no OpenPGP signature");
            }
            signatures = list;
        } catch (IOException | RuntimeException e) {
            return new Check(Verdict.BAD, "the .asc is not an OpenPGP signature");
        }
        String problem = "no signature in it";
        for (PGPSignature candidate : signatures) {
            String id = OpenPgpKeys.keyId(candidate.getKeyID());
            PGPPublicKey key = keys.getPublicKey(candidate.getKeyID());
            if (key == null) {
                problem = "signed by " + id + ", which is not one of SIGNATURE_PUBLIC_KEYS";
                continue;
            }
            if (candidate.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
                problem = "the signature by " + id + " is not a signature of a document";
                continue;
            }
            if (key.hasRevocation()) {
                problem = "the signing key " + id + " is revoked";
                continue;
            }
            try {
                candidate.init(new BcPGPContentVerifierBuilderProvider(), key);
                candidate.update(data);
                if (candidate.verify()) {
                    return new Check(Verdict.GOOD, "signed by " + id);
                }
                problem = "the signature by " + id + " does not match the manifest's bytes";
            } catch (PGPException | RuntimeException e) {
                problem = "the signature by " + id + " cannot be checked (" + e.getClass().getSimpleName() + ")";
            }
        }
        return new Check(Verdict.BAD, problem);
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

    public void setKeyFile(String keyFile) {
        this.keyFile = keyFile == null ? "" : keyFile;
    }

    public void setPassphrase(String passphrase) {
        this.passphrase = Secret.of(passphrase == null ? "" : passphrase);
    }

    public void setKeySecretId(String keySecretId) {
        this.keySecretId = keySecretId == null ? "" : keySecretId;
    }

    public void setPublicKeys(String publicKeys) {
        this.publicKeys = publicKeys == null ? "" : publicKeys;
        this.verifyingKeys = null;
    }

    @Override
    public String toString() {
        return "ManifestSignature[" + (isSigning() ? "signing" : "not signing") + ", "
                + (isVerifying() ? "checking" : "not checking") + "]";
    }
}
