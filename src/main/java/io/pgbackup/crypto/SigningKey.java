package io.pgbackup.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Date;
import java.util.Iterator;

import io.pgbackup.crypto.ManifestSignature.Signer;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * The signing side of {@link ManifestSignature}: the key that signs, chosen from an armored secret key and unlocked,
 * and a detached armored signature made with it.
 */
final class SigningKey {

    private SigningKey() {
    }

    /** The armored detached signature (binary document, SHA-256) of {@code data}. */
    static byte[] sign(byte[] data, Signer signer) throws IOException {
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

    /**
     * The key that signs, from an armored secret key: the newest (sub)key whose flags allow signing data, not
     * revoked or expired, unlocked with the passphrase.
     */
    static Signer of(byte[] armored, char[] passphrase, String source) {
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
}
