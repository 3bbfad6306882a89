package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.pgbackup.support.Gpg;
import io.pgbackup.support.InProcessPgBackup;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Was EncryptionIT#badKeySettingsStopTheAppBeforeAnyDump, in this JVM ({@link InProcessPgBackup}): a public key file
 * that cannot encrypt, or a secret key that its passphrase does not unlock, stops the command at start with one line
 * naming the setting and no key material, before anything connects (no dump, nothing stored).
 */
@Timeout(120)
class KeySettingsRefusedAtStartTest {

    static Gpg alice;
    static Path junk;

    @BeforeAll
    static void keys() throws Exception {
        alice = Gpg.newKey("Alice Ops", "curve25519", "alice pass");
        junk = Files.createTempFile("junk", ".asc");
        Files.writeString(junk, "not a key");
    }

    /** {@code value}: a path, or junk / alice-secret / alice-public for those files. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ENCRYPTION_PUBLIC_KEYS|junk|backup",
        "ENCRYPTION_PUBLIC_KEYS|alice-secret|backup",
        "ENCRYPTION_PUBLIC_KEYS|/nonexistent/public.asc|backup",
        "DECRYPTION_KEY_PASSPHRASE|not alice pass|restore",
        "DECRYPTION_KEY_FILE|alice-public|verify",
    })
    void badKeySettingsStopTheAppBeforeAnyDump(String variable, String value, String command) throws Exception {
        String given = switch (value) {
            case "junk" -> junk.toString();
            case "alice-secret" -> alice.secretKeyFile().toString();
            case "alice-public" -> alice.publicKeyFile().toString();
            default -> value;
        };
        try (InProcessPgBackup app = new InProcessPgBackup()) {
            app.set("DECRYPTION_KEY_FILE", alice.secretKeyFile().toString()).set("DECRYPTION_KEY_PASSPHRASE", "alice pass")
                    .set(variable, given);

            InProcessPgBackup.Result run = command.equals("restore") ? app.run("restore", "--target-db", "never")
                    : app.run(command);

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
            assertThat(run.stderr().lines().filter(l -> l.contains("invalid setting"))).as(run.toString())
                    .singleElement().asString().startsWith("pg-backup: invalid setting " + variable);
            assertThat(run.all()).doesNotContain("not alice pass").doesNotContain("PRIVATE KEY");
            assertThat(app.connections()).as("connections to the database or store").isZero();
        }
    }
}
