package io.pgbackup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;
import io.pgbackup.support.Gpg;
import io.pgbackup.support.Spaces;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Signed manifests with keys made by the gpg command line: signed here, checked here and by gpg --verify. */
@Timeout(120)
class ManifestSignatureTest {

    static Gpg ops;
    static Gpg other;
    static final byte[] MANIFEST = "{\n  \"format\" : 1,\n  \"database\" : \"상점\",\n  \"objectSha256\" : \"ab\"\n}"
            .getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void keys() throws Exception {
        ops = Gpg.newKey("Ops Signer", "sign", "sign pass");
        other = Gpg.newKey("Someone Else", "sign", "other pass");
    }

    ManifestSignature checker(Gpg... keys) throws Exception {
        ManifestSignature signature = new ManifestSignature();
        StringBuilder files = new StringBuilder();
        for (Gpg key : keys) {
            files.append(files.length() == 0 ? "" : ",").append(key.publicKeyFile());
        }
        signature.setPublicKeys(files.toString());
        return signature;
    }

    static byte[] signed(Gpg key, String passphrase, byte[] data) throws Exception {
        return ManifestSignature.sign(data, ManifestSignature.signer(key.secretKey().getBytes(StandardCharsets.US_ASCII),
                passphrase.toCharArray(), "test key"));
    }

    @Test
    void aManifestSignedHereIsGoodHereAndForGpgVerifyWithThePublicKey() throws Exception {
        byte[] asc = signed(ops, "sign pass", MANIFEST);

        assertThat(new String(asc, StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP SIGNATURE-----");
        assertThat(checker(other, ops).verify(MANIFEST, asc).good()).isTrue();
        Path dir = Files.createTempDirectory("signed-manifest");
        Path manifest = Files.write(dir.resolve("k.sql.gz.manifest.json"), MANIFEST);
        Path signature = Files.write(dir.resolve("k.sql.gz.manifest.json.asc"), asc);
        assertThat(Gpg.verifyWith(ops.publicKeyFile(), signature, manifest)).as("gpg --verify").isTrue();
        assertThat(Gpg.verifyWith(other.publicKeyFile(), signature, manifest)).as("gpg --verify, another key").isFalse();
    }

    @Test
    void oneChangedByteMakesABadSignature() throws Exception {
        byte[] asc = signed(ops, "sign pass", MANIFEST);
        byte[] edited = MANIFEST.clone();
        edited[edited.length - 4] = 'c';

        ManifestSignature.Check check = checker(ops).verify(edited, asc);
        assertThat(check.good()).isFalse();
        assertThat(check.note()).contains("does not match the manifest's bytes");
    }

    @Test
    void aSignatureByAKeyNotInSignaturePublicKeysIsBad() throws Exception {
        byte[] asc = signed(other, "other pass", MANIFEST);

        ManifestSignature.Check check = checker(ops).verify(MANIFEST, asc);
        assertThat(check.good()).isFalse();
        assertThat(check.note()).contains("not one of SIGNATURE_PUBLIC_KEYS");
    }

    @Test
    void somethingThatIsNoSignatureIsBadNotAnError() throws Exception {
        assertThat(checker(ops).verify(MANIFEST, "{\"not\": \"a signature\"}".getBytes(StandardCharsets.US_ASCII)).good())
                .isFalse();
        assertThat(checker(ops).verify(MANIFEST, ops.publicKeyFile().toString().getBytes(StandardCharsets.US_ASCII))
                .good()).isFalse();
    }

    @Test
    void aWrongPassphraseOrAKeyThatCannotSignIsRefusedWithoutKeyMaterial() throws Exception {
        byte[] secret = ops.secretKey().getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ManifestSignature.signer(secret, "wrong".toCharArray(), "SIGNING_KEY_FILE"))
                .hasMessageContaining("the passphrase does not unlock").hasMessageNotContaining("PRIVATE KEY");
        Gpg cannotSign = Gpg.newKey("Cert Only", "signing-only", "p");
        assertThatThrownBy(() -> ManifestSignature.signer(cannotSign.secretKey().getBytes(StandardCharsets.US_ASCII),
                "p".toCharArray(), "SIGNING_KEY_FILE")).hasMessageContaining("holds no key that can sign");
    }

    @Test
    void aManifestLargerThanTheCapIsNotReadAndTheErrorNamesTheCap() throws Exception {
        assertThat(BackupManifest.readBytes(new ByteArrayInputStream(MANIFEST), MANIFEST.length)).isEqualTo(MANIFEST);
        assertThatThrownBy(() -> BackupManifest.readBytes(new ByteArrayInputStream(MANIFEST), MANIFEST.length - 1))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than " + (MANIFEST.length - 1) + " bytes");

        // BackupManifest.read itself: a stream one byte past 64 MiB
        InputStream endless = Spaces.of(BackupManifest.MAX_BYTES + 1L);
        assertThatThrownBy(() -> BackupManifest.read(endless)).isInstanceOf(IOException.class)
                .hasMessageContaining("larger than 64 MiB, the cap on manifests");
    }

    @Test
    void theCatalogCallsAKeyMoreThanAnHourAheadFutureAndLabelsItsStates() {
        ZoneId seoul = ZoneId.of("Asia/Seoul");
        Instant now = java.time.LocalDateTime.of(2026, 11, 28, 12, 0).atZone(seoul).toInstant();
        BackupKey near = BackupKey.parseListed("2026/11/28/shop_20261128125900.sql.gz").orElseThrow();
        BackupKey far = BackupKey.parseListed("2099/01/01/shop_20990101020000.sql.gz").orElseThrow();

        assertThat(BackupCatalog.isFuture(near, seoul, now)).isFalse();
        assertThat(BackupCatalog.isFuture(far, seoul, now)).isTrue();
        assertThat(BackupCatalog.State.BAD_SIGNATURE.label()).isEqualTo("bad-signature");
        assertThat(BackupCatalog.State.UNSIGNED.label()).isEqualTo("unsigned");
        assertThat(BackupCatalog.State.FUTURE.label()).isEqualTo("future");
        assertThat(BackupKey.parseListed("2026/11/28/shop_20261128125900.sql.gz.manifest.json.asc"))
                .as("a signature is never a backup").isEmpty();
    }
}
