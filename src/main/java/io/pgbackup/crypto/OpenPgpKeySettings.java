package io.pgbackup.crypto;

import io.pgbackup.secret.Secret;

/**
 * The four key settings a user of OpenPGP keys is given (encryption: ENCRYPTION_PUBLIC_KEYS, DECRYPTION_KEY_*;
 * signed manifests: SIGNATURE_PUBLIC_KEYS, SIGNING_KEY_*): the armored public keys, the armored secret key file and
 * its passphrase, or the Secret Manager secret holding key and passphrase. Unset (null) reads as empty; the
 * passphrase is held as a {@link Secret}, never printed.
 */
public abstract class OpenPgpKeySettings {

    String publicKeys = "";
    String keyFile = "";
    Secret passphrase = Secret.of("");
    String keySecretId = "";

    public void setPublicKeys(String publicKeys) {
        this.publicKeys = publicKeys == null ? "" : publicKeys;
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
}
