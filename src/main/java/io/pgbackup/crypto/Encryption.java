package io.pgbackup.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.secret.SecretManagerException;

import org.apache.camel.Exchange;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-side encryption (ENCRYPTION_PUBLIC_KEYS): every backup is encrypted to every public key given, after
 * compression and in the same stream ({@link EncryptingInputStream}); the backup host needs no private key and no
 * passphrase. The object key ends in {@code .gpg}; {@code gpg --decrypt KEY.sql.gz.gpg | gunzip | psql} restores it
 * without pg-backup. The manifest says that the object is encrypted and to which key ids; the table names and row
 * counts, which are data too, are stored in it encrypted to the same keys; what stays in clear is what retention and
 * the shrink check need (sizes, times, SHA-256 of the stored bytes).
 * <p>
 * Restore and verify decrypt with DECRYPTION_KEY_FILE (armored secret key) and DECRYPTION_KEY_PASSPHRASE, or with
 * DECRYPTION_KEY_SECRET_ID: a Secret Manager secret whose active value is {@code {"privateKey": "-----BEGIN PGP
 * PRIVATE KEY BLOCK-----...", "passphrase": "..."}}, so that the key need not be on any disk. Key material and
 * passphrases never reach a log, a message or an argv.
 */
public class Encryption extends OpenPgpKeySettings {

    /** Exchange property: the unlocked keys read from Secret Manager (a {@link Keys}). */
    public static final String KEYS = "decryptionKeys";
    private static final String CIPHER = "AES-256";
    private static final String INTEGRITY = "MDC (SEIPD v1)";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.encryption");

    /** Unlocked private keys, by key id; printed as their ids only. */
    public record Keys(Map<Long, PGPPrivateKey> byId) {
        @Override
        public String toString() {
            return "decryption keys " + OpenPgpKeys.ids(byId.keySet());
        }
    }

    private volatile List<OpenPgpKeys.Recipient> recipients;
    private volatile Keys fileKeys;

    public boolean isOn() {
        return !publicKeys.isBlank();
    }

    public List<OpenPgpKeys.Recipient> recipients() {
        if (recipients == null) {
            recipients = OpenPgpKeys.recipients(publicKeys);
        }
        return recipients;
    }

    /** Body: the compressed dump; returns it encrypted, as it is read (the file name inside is the key's). */
    public InputStream encrypt(Exchange exchange) throws Exception {
        InputStream compressed = exchange.getMessage().getMandatoryBody(InputStream.class);
        if (!isOn()) {
            return compressed;
        }
        String key = DatabaseRun.of(exchange).keyOr("backup");
        String name = key.substring(key.lastIndexOf('/') + 1).replaceFirst("\\.gpg$", "");
        return new EncryptingInputStream(compressed, recipients(), name);
    }

    /** For the manifest: how the object is encrypted, or null when it is not. */
    public BackupManifest.Encryption describe() {
        if (!isOn()) {
            return null;
        }
        BackupManifest.Encryption described = new BackupManifest.Encryption();
        described.format = "OpenPGP";
        described.cipher = CIPHER;
        described.integrity = INTEGRITY;
        described.recipients = recipients().stream().map(OpenPgpKeys.Recipient::keyId).toList();
        return described;
    }

    /** The manifest's table names and row counts, encrypted to the same keys as the backup (armored). */
    public String encryptTables(Map<String, Long> tables) throws IOException {
        byte[] json = JSON.writeValueAsBytes(tables);
        ByteArrayOutputStream armored = new ByteArrayOutputStream();
        try (ArmoredOutputStream out = ArmoredOutputStream.builder().build(armored);
                InputStream encrypted = new EncryptingInputStream(new ByteArrayInputStream(json), recipients(), "tables.json")) {
            encrypted.transferTo(out);
        }
        return armored.toString(StandardCharsets.US_ASCII);
    }

    /** True when the chosen backup is encrypted and its key must come from Secret Manager first. */
    public boolean needsKeySecret(Exchange exchange) {
        return isEncrypted(exchange) && !keySecretId.isBlank() && exchange.getProperty(KEYS) == null;
    }

    /** Body: Secret Manager's answer for DECRYPTION_KEY_SECRET_ID; the unlocked keys become exchange property KEYS. */
    public void readKeySecret(Exchange exchange) throws Exception {
        KeyFromSecret secret = KeyFromSecret.read(exchange, "DECRYPTION_KEY_SECRET_ID");
        try {
            exchange.setProperty(KEYS, new Keys(OpenPgpKeys.privateKeys(secret.armored(), secret.passphrase(),
                    "the secret DECRYPTION_KEY_SECRET_ID")));
        } catch (OpenPgpKeys.KeyException e) {
            throw new SecretManagerException(e.getMessage());
        }
    }

    /**
     * Before an encrypted backup is restored or verified (choose-backup): the decryption key must be one of the keys the
     * manifest names, else one line says which keys the backup is encrypted to; the manifest's tables are decrypted
     * for the row-count check.
     */
    /** The most an encrypted table list may decrypt to (it is held whole): more is refused, naming the cap. */
    static final int MAX_TABLES_BYTES = 32 << 20;

    public void prepareRestore(Exchange exchange) throws IOException {
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        if (!isEncrypted(exchange)) {
            return;
        }
        String key = DatabaseRun.of(exchange).key();
        Keys keys = keys(exchange);
        List<String> to = manifest != null && manifest.encryption != null ? manifest.encryption.recipients : List.of();
        if (keys == null) {
            throw new DecryptingInputStream.DecryptionException(key + " is encrypted" + (to.isEmpty() ? "" : " to the key(s) "
                    + String.join(", ", to)) + ", and no decryption key is configured (DECRYPTION_KEY_FILE with"
                    + " DECRYPTION_KEY_PASSPHRASE, or DECRYPTION_KEY_SECRET_ID)");
        }
        Set<String> ours = new HashSet<>();
        keys.byId().keySet().forEach(id -> ours.add(OpenPgpKeys.keyId(id)));
        if (!to.isEmpty() && to.stream().noneMatch(ours::contains)) {
            throw new DecryptingInputStream.DecryptionException(key + " is encrypted to the key(s) " + String.join(", ", to)
                    + ", and the decryption key holds " + String.join(", ", ours) + ": no key to open it");
        }
        if (manifest != null && manifest.tablesEncrypted != null) {
            try (InputStream in = DecryptingInputStream.open(new ArmoredInputStream(new ByteArrayInputStream(
                    manifest.tablesEncrypted.getBytes(StandardCharsets.US_ASCII))), keys.byId(), "the manifest of " + key)) {
                byte[] tables = in.readNBytes(MAX_TABLES_BYTES + 1);
                if (tables.length > MAX_TABLES_BYTES) {
                    throw new DecryptingInputStream.DecryptionException("the encrypted table list in the manifest of " + key
                            + " decrypts to more than " + (MAX_TABLES_BYTES >> 20) + " MiB, the cap pg-backup reads");
                }
                manifest.tables = JSON.readValue(tables, new TypeReference<java.util.LinkedHashMap<String, Long>>() {
                });
            }
        }
        LOG.info("{} is encrypted (OpenPGP, {}); decrypting with {}", key, CIPHER, keys);
    }

    /** The keys that decrypt: from DECRYPTION_KEY_FILE, else from Secret Manager (exchange property), else null. */
    public Keys keys(Exchange exchange) {
        if (!keyFile.isBlank()) {
            if (fileKeys == null) {
                fileKeys = new Keys(keysFromFile(keyFile, passphrase.reveal()));
            }
            return fileKeys;
        }
        return exchange.getProperty(KEYS, Keys.class);
    }

    /** Whether a decryption key could be had (the read-back after an upload decrypts only then). */
    public boolean canDecrypt(Exchange exchange) {
        return !keyFile.isBlank() || exchange.getProperty(KEYS) != null;
    }

    /**
     * The keys of an armored secret key file, unlocked with the passphrase. Unlocking costs about 0.2 s (gpg protects
     * exported keys with 65 million S2K hash iterations), so the result is kept for the process: the start-up check
     * and the restore that follows it unlock once. Kept against the same bytes and passphrase only.
     */
    public static Map<Long, PGPPrivateKey> keysFromFile(String file, String passphrase) {
        byte[] armored;
        try {
            armored = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new OpenPgpKeys.KeyException("'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        byte[] identity = sha256(armored, passphrase);
        Unlocked last = lastUnlocked;
        if (last != null && java.security.MessageDigest.isEqual(last.identity(), identity)) {
            return last.keys();
        }
        Map<Long, PGPPrivateKey> keys = java.util.Collections.unmodifiableMap(
                OpenPgpKeys.privateKeys(armored, passphrase.toCharArray(), "'" + file + "'"));
        lastUnlocked = new Unlocked(identity, keys);
        return keys;
    }

    /** The last key file unlocked: a digest of its bytes and passphrase, and its keys. */
    private record Unlocked(byte[] identity, Map<Long, PGPPrivateKey> keys) {
    }

    private static volatile Unlocked lastUnlocked;

    private static byte[] sha256(byte[] armored, String passphrase) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(armored);
            digest.update((byte) 0);
            digest.update(passphrase.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this Java", e);
        }
    }

    static boolean isEncrypted(Exchange exchange) {
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        String key = DatabaseRun.of(exchange).keyOr("");
        return manifest != null && manifest.encryption != null || key.endsWith(".gpg");
    }

    @Override
    public String toString() {
        return "Encryption[" + (isOn() ? "on" : "off") + "]";
    }
}
