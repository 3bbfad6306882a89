package io.pgbackup.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gpg command line (GnuPG 2.2), as users have it, for the encryption tests: a key pair made by gpg in a home
 * folder of its own, its armored public and secret keys as files, and {@code gpg --decrypt}.
 */
public final class Gpg {

    private final Path home;
    private final String passphrase;
    private final String fingerprint;

    private Gpg(Path home, String passphrase, String fingerprint) {
        this.home = home;
        this.passphrase = passphrase;
        this.fingerprint = fingerprint;
    }

    /**
     * A new key pair: {@code curve25519} (an ed25519 primary with a cv25519 encryption subkey, gpg's default kind),
     * {@code rsa3072} (primary and encryption subkey), {@code signing-only} (an ed25519 key that cannot encrypt), or
     * {@code sign} (an ed25519 key that signs data: signed manifests).
     */
    public static Gpg newKey(String name, String kind, String passphrase) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("pg-backup-gpg");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAgent(home)));
        Gpg gpg = new Gpg(home, passphrase, null);
        if (kind.equals("sign")) {
            // a key that signs (an ed25519 primary with the sign flag), for signed manifests
            gpg.run(null, "--quick-gen-key", name + " <" + name.toLowerCase().replace(' ', '.') + "@example.com>",
                    "ed25519", "sign", "never");
            return new Gpg(home, passphrase, gpg.firstFingerprint());
        }
        String primary = kind.equals("rsa3072") ? "rsa3072" : "ed25519";
        String subkey = kind.equals("rsa3072") ? "rsa3072" : "cv25519";
        gpg.run(null, "--quick-gen-key", name + " <" + name.toLowerCase().replace(' ', '.') + "@example.com>", primary,
                "cert", "never");
        String fpr = null;
        for (String line : gpg.run(null, "--with-colons", "--list-keys").split("\n")) {
            if (line.startsWith("fpr:") && fpr == null) {
                fpr = line.split(":")[9];
            }
        }
        if (!kind.equals("signing-only")) {
            gpg.run(null, "--quick-add-key", fpr, subkey, "encr", "never");
        }
        return new Gpg(home, passphrase, fpr);
    }

    private String firstFingerprint() throws IOException, InterruptedException {
        for (String line : run(null, "--with-colons", "--list-keys").split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        return null;
    }

    /**
     * {@code gpg --verify SIGNATURE DATA} in a fresh home that holds only the armored public key {@code publicKey}
     * (imported first), as a restore host would check a manifest by hand: true when gpg exits 0.
     */
    public static boolean verifyWith(Path publicKey, Path signature, Path data) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("pg-backup-gpg-verify");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Gpg verifier = new Gpg(home, "", null);
        verifier.run(null, "--import", publicKey.toString());
        try {
            verifier.run(null, "--verify", signature.toString(), data.toString());
            return true;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("exited with")) {
                return false;
            }
            throw e;
        } finally {
            stopAgent(home);
        }
    }

    /** gpg starts an agent per home that outlives the tests (and spins once its home is gone): stop it. */
    private static void stopAgent(Path home) {
        try {
            Process stop = new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!stop.waitFor(10, TimeUnit.SECONDS)) {
                stop.destroyForcibly();
            }
        } catch (IOException e) {
            // no gpgconf: the agent stays, as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The long key id (16 hex digits) of the encryption subkey. */
    public String encryptionKeyId() throws IOException, InterruptedException {
        String id = null;
        for (String line : run(null, "--with-colons", "--list-keys").split("\n")) {
            String[] f = line.split(":");
            if (line.startsWith("sub:") && f.length > 11 && f[11].contains("e")) {
                id = f[4];
            }
        }
        return id;
    }

    /** The armored public key, in a file. */
    public Path publicKeyFile() throws IOException, InterruptedException {
        Path file = home.resolve("public.asc");
        Files.writeString(file, run(null, "--armor", "--export", fingerprint));
        return file;
    }

    /** The armored secret key, in a file (readable by its owner only). */
    public Path secretKeyFile() throws IOException, InterruptedException {
        Path file = home.resolve("secret.asc");
        Files.writeString(file, secretKey());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    public String secretKey() throws IOException, InterruptedException {
        return run(null, "--armor", "--export-secret-keys", fingerprint);
    }

    /** gpg --decrypt of {@code message}: the clear bytes. */
    public byte[] decrypt(byte[] message) throws IOException, InterruptedException {
        return runBytes(message, "--decrypt");
    }

    private String run(byte[] input, String... args) throws IOException, InterruptedException {
        return new String(runBytes(input, args), StandardCharsets.UTF_8);
    }

    private byte[] runBytes(byte[] input, String... args) throws IOException, InterruptedException {
        Path passphraseFile = home.resolve("passphrase");
        if (!Files.exists(passphraseFile)) {
            Files.writeString(passphraseFile, passphrase);
            Files.setPosixFilePermissions(passphraseFile, PosixFilePermissions.fromString("rw-------"));
        }
        List<String> argv = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--quiet",
                "--pinentry-mode", "loopback", "--passphrase-file", passphraseFile.toString()));
        argv.addAll(List.of(args));
        Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                if (input != null) {
                    in.write(input);
                }
            } catch (IOException ignored) {
                // the exit code tells
            }
        });
        feeder.start();
        byte[] output;
        try (InputStream out = process.getInputStream()) {
            output = out.readAllBytes();
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("gpg " + args[0] + " did not end");
        }
        feeder.join(10_000);
        if (process.exitValue() != 0) {
            throw new IOException("gpg " + args[0] + " exited with " + process.exitValue());
        }
        return output;
    }
}
