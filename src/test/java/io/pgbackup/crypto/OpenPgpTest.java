package io.pgbackup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.pgbackup.support.Gpg;

import org.bouncycastle.openpgp.PGPPrivateKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OpenPGP both ways with keys made by the gpg command line: what pg-backup encrypts, gpg decrypts; what it decrypts is
 * what was encrypted; a modified message, a key it was not encrypted to, a wrong passphrase are each caught.
 */
@Timeout(180)
class OpenPgpTest {

    static Gpg alice;
    static Gpg bob;
    static Gpg carol;
    static byte[] data;

    @BeforeAll
    static void keys() throws Exception {
        alice = Gpg.newKey("Alice Ops", "curve25519", "alice pass");
        bob = Gpg.newKey("Bob Breakglass", "rsa3072", "bob pass");
        carol = Gpg.newKey("Carol Other", "curve25519", "carol pass");
        data = new byte[3 * 1024 * 1024 + 333];
        new Random(7).nextBytes(data);
    }

    static byte[] encrypt(byte[] clear, List<OpenPgpKeys.Recipient> to) throws IOException {
        try (InputStream in = new EncryptingInputStream(new ByteArrayInputStream(clear), to, "test.sql.gz")) {
            return in.readAllBytes();
        }
    }

    static byte[] decrypt(byte[] message, Map<Long, PGPPrivateKey> keys) throws IOException {
        try (InputStream in = DecryptingInputStream.open(new ByteArrayInputStream(message), keys, "the test object")) {
            byte[] buffer = new byte[1000];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    @Test
    void encryptedToTwoKeysEachOneDecryptsWithGpgAndWithPgBackup() throws Exception {
        List<OpenPgpKeys.Recipient> to = OpenPgpKeys.recipients(alice.publicKeyFile() + "," + bob.publicKeyFile());
        assertThat(to).extracting(OpenPgpKeys.Recipient::keyId)
                .containsExactly(alice.encryptionKeyId(), bob.encryptionKeyId());

        byte[] message = encrypt(data, to);

        assertThat(message.length).isBetween(data.length, data.length + 4096);
        assertThat(alice.decrypt(message)).isEqualTo(data);
        assertThat(bob.decrypt(message)).isEqualTo(data);
        assertThat(decrypt(message, Encryption.keysFromFile(bob.secretKeyFile().toString(), "bob pass"))).isEqualTo(data);
        assertThat(decrypt(message, Encryption.keysFromFile(alice.secretKeyFile().toString(), "alice pass"))).isEqualTo(data);
    }

    @Test
    void aModifiedMessageFailsItsIntegrityCheck() throws Exception {
        byte[] message = encrypt(data, OpenPgpKeys.recipients(alice.publicKeyFile().toString()));
        Map<Long, PGPPrivateKey> keys = Encryption.keysFromFile(alice.secretKeyFile().toString(), "alice pass");
        for (int at : new int[] {message.length / 2, message.length - 10}) {
            byte[] modified = message.clone();
            modified[at] ^= 0x01;
            assertThatThrownBy(() -> decrypt(modified, keys)).as("flipped at %d", at)
                    .isInstanceOf(DecryptingInputStream.DecryptionException.class);
        }
    }

    @Test
    void aKeyItWasNotEncryptedToIsNamedWithTheRecipients() throws Exception {
        byte[] message = encrypt(data, OpenPgpKeys.recipients(alice.publicKeyFile().toString()));
        Map<Long, PGPPrivateKey> carols = Encryption.keysFromFile(carol.secretKeyFile().toString(), "carol pass");

        assertThatThrownBy(() -> decrypt(message, carols)).isInstanceOf(DecryptingInputStream.DecryptionException.class)
                .hasMessageContaining("is encrypted to the key(s) " + alice.encryptionKeyId())
                .hasMessageContaining(carol.encryptionKeyId());
    }

    @Test
    void badKeysAreNamedWithoutTheirContent() throws Exception {
        assertThatThrownBy(() -> OpenPgpKeys.recipients(alice.secretKeyFile().toString()))
                .hasMessageContaining("holds a private key: give the public key");
        Path junk = Files.createTempFile("not-a-key", ".asc");
        Files.writeString(junk, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all\n-----END PGP PUBLIC KEY BLOCK-----\n");
        assertThatThrownBy(() -> OpenPgpKeys.recipients(junk.toString())).hasMessageContaining("is not an OpenPGP public key");
        assertThatThrownBy(() -> OpenPgpKeys.recipients("/nonexistent/key.asc")).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> Encryption.keysFromFile(alice.secretKeyFile().toString(), "wrong pass"))
                .hasMessageContaining("the passphrase does not unlock").hasMessageNotContaining("wrong pass");
        assertThatThrownBy(() -> Encryption.keysFromFile(alice.publicKeyFile().toString(), "alice pass"))
                .hasMessageContaining("holds a public key");
        Gpg signer = Gpg.newKey("Sign Only", "signing-only", "sign pass");
        assertThatThrownBy(() -> OpenPgpKeys.recipients(signer.publicKeyFile().toString()))
                .hasMessageContaining("has no usable encryption subkey");
    }
}
