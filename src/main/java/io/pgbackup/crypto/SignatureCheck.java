package io.pgbackup.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.crypto.ManifestSignature.Check;
import io.pgbackup.crypto.ManifestSignature.Verdict;

import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/** The checking side of {@link ManifestSignature}: a detached signature of a manifest checked against public keys. */
final class SignatureCheck {

    private SignatureCheck() {
    }

    /** Whether {@code signature} (armored or binary) is a good signature of {@code data} by one of {@code keys}. */
    static Check verify(byte[] data, byte[] signature, PGPPublicKeyRingCollection keys) {
        if (signature.length > ManifestSignature.MAX_SIGNATURE_BYTES) {
            return new Check(Verdict.BAD, "the signature is larger than " + ManifestSignature.MAX_SIGNATURE_BYTES + " bytes");
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
}
