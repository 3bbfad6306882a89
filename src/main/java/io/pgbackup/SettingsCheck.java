package io.pgbackup;

import java.util.Set;

import io.pgbackup.run.DatabaseList;
import io.pgbackup.settings.InvalidSettingException;
import io.pgbackup.settings.Setting;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;

/**
 * Checks the settings before anything runs, so that a typo stops the app at once with one line naming the setting
 * (environment variable) instead of failing at 2 a.m. Values of secrets are never printed.
 * <p>
 * Each setting is checked against its declaration (application.properties' {@code #@ TYPE | NEEDED BY | HELP} line:
 * {@link SettingsDeclaration}): a non-empty value must be of its type, whatever the command (each command creates every
 * route, and a value that would break one should be named, not met later); an empty one is refused by the commands
 * that need it. What depends on several settings at once is in {@link #rules}.
 */
public final class SettingsCheck {

    private final CamelContext context;
    private final SettingsDeclaration declared = SettingsDeclaration.builtIn();

    private SettingsCheck(CamelContext context) {
        this.context = context;
    }

    /** Checks what {@code command} needs; throws {@link InvalidSettingException} for the first problem. */
    public static void check(CamelContext context, String command) {
        SettingsCheck check = new SettingsCheck(context);
        for (Setting setting : check.declared.all()) {
            check.one(setting, command);
        }
        check.rules(command);
    }

    /**
     * The settings camel-main reads itself while it configures (before {@link #check} can run): the management
     * server's port and address, read by every command (only the service opens the port).
     */
    public static void checkEarly(CamelContext context) {
        SettingsCheck check = new SettingsCheck(context);
        check.one(check.declared.get("management.port"), "service");
        check.one(check.declared.get("management.host"), "service");
    }

    /** One setting against its declaration. */
    private void one(Setting setting, String command) {
        String value = value(setting.key());
        if (value.isEmpty()) {
            if (setting.neededBy(command)) {
                throw new InvalidSettingException(setting.variable(), "is not set");
            }
            return;
        }
        String kind = setting.type().kind();
        if (kind.equals("program") && !setting.neededBy(command)) {
            return; // a client program is looked for by the commands that run it (rules: pg_dumpall, psql)
        }
        if (kind.equals("databases") && command.equals("restore")) {
            return; // restore works on one database, which may be the roles backup (@globals): rules
        }
        String problem = setting.type().problem(value, setting.secret() ? "its value (not shown: it is a secret)"
                : "'" + value + "'", path());
        if (problem != null) {
            throw new InvalidSettingException(setting.variable(), problem);
        }
    }

    /** What depends on more than one setting, or on the command. */
    private void rules(String command) {
        boolean backs = Set.of("service", "backup", "check-managed").contains(command);
        boolean needsPassword = backs || "restore".equals(command) || "verify".equals(command);
        DatabaseList.Names databases = DatabaseList.parse(value("db.name"));
        if ("restore".equals(command) && (databases.everyDatabase() || databases.names().size() > 1)) {
            throw new InvalidSettingException("DB_NAME", "restore works on one database, and '" + value("db.name")
                    + "' names several: say which with --database NAME (or name the backup with --key)");
        }
        // a restore to another server brings its own password (RESTORE_DB_PASSWORD or RESTORE_SECRET_ID)
        boolean ownRestorePassword = !value("restore.db.password").isEmpty() || !value("restore.secret.id").isEmpty();
        if ("restore".equals(command) && !value("restore.secret.id").isEmpty() && value("restore.db.password").isEmpty()) {
            ncpKeys("to read RESTORE_SECRET_ID from Secret Manager");
        }
        // the source database's password is never sent to another server: a restore or test restore there needs its own
        if ("restore".equals(command) && !ownRestorePassword && otherServer("restore.db")) {
            throw new InvalidSettingException("RESTORE_DB_PASSWORD", "is not set (nor RESTORE_SECRET_ID), and RESTORE_DB_HOST"
                    + " / RESTORE_DB_PORT (" + server("restore.db") + ") is another server than DB_HOST / DB_PORT ("
                    + server("db") + "): it needs its own password; the source database's is never sent elsewhere");
        }
        boolean verifies = "verify".equals(command) || "service".equals(command) && !value("verify.cron").isEmpty();
        if (verifies && value("verify.db.password").isEmpty() && otherServer("verify.db")) {
            throw new InvalidSettingException("VERIFY_DB_PASSWORD", "is not set, and VERIFY_DB_HOST / VERIFY_DB_PORT ("
                    + server("verify.db") + ") is another server than DB_HOST / DB_PORT (" + server("db") + "): it needs its"
                    + " own password; the source database's is never sent elsewhere");
        }
        if (needsPassword && value("db.password").isEmpty() && !("restore".equals(command) && ownRestorePassword)) {
            if (value("secret.id").isEmpty()) {
                throw new InvalidSettingException("SECRET_ID (or set DB_PASSWORD)", "is not set");
            }
            ncpKeys("to call Secret Manager");
        }
        if (backs) {
            partSizeFitsTheHeap(Long.parseLong(value("upload.part.size")), Runtime.getRuntime().maxMemory());
            if ("true".equals(value("backup.globals"))) {
                program("pg.dumpall.path");
            }
        }
        if (needsPassword && databases.everyDatabase()) {
            program("psql.path");
        }
        boolean runsPsql = "restore".equals(command) || "verify".equals(command)
                || backs && databases.everyDatabase() || "service".equals(command) && !value("verify.cron").isEmpty();
        if (runsPsql) {
            unrestrictedPsql();
        }
        if ("gzip".equals(value("backup.compression")) && !value("backup.compression.level").isEmpty()
                && Long.parseLong(value("backup.compression.level")) > 9) {
            throw new InvalidSettingException("BACKUP_COMPRESSION_LEVEL", value("backup.compression.level")
                    + " is outside 1..9 (gzip; zstd goes to 19)");
        }
        if ("service".equals(command) && !value("cloud.db.instance.no").isEmpty() || "check-managed".equals(command)) {
            ncpKeys("to call the Cloud DB API");
        }
        boolean mailHost = !value("mail.smtp.host").isEmpty();
        boolean mailTo = !value("mail.to").isEmpty();
        if (mailHost != mailTo) {
            throw new InvalidSettingException(mailHost ? "MAIL_TO" : "MAIL_SMTP_HOST",
                    "email notifications need both MAIL_SMTP_HOST and MAIL_TO");
        }
        encryptionKeys();
        signingKeys();
        CopyToSettings.check(context, command);
        objectLock();
        if ("service".equals(command)) {
            freePort();
        }
    }

    /**
     * OBJECT_LOCK_MODE and OBJECT_LOCK_DAYS go together; and a backup in an archive class cannot be read back right
     * after its upload (VERIFY_DOWNLOAD=true would fail every backup).
     */
    private void objectLock() {
        String mode = value("object.lock.mode");
        if (!mode.isEmpty() && value("object.lock.days").isEmpty()) {
            throw new InvalidSettingException("OBJECT_LOCK_DAYS", "is not set: OBJECT_LOCK_MODE=" + mode
                    + " needs the number of days each backup stays locked (e.g. 30)");
        }
        if (mode.isEmpty() && !value("object.lock.days").isEmpty()) {
            throw new InvalidSettingException("OBJECT_LOCK_MODE", "is not set, but OBJECT_LOCK_DAYS is: set GOVERNANCE or"
                    + " COMPLIANCE to lock backups, or empty OBJECT_LOCK_DAYS");
        }
        if ("true".equals(value("verify.download")) && Set.of("GLACIER", "DEEP_ARCHIVE").contains(value("upload.storage.class"))) {
            throw new InvalidSettingException("UPLOAD_STORAGE_CLASS", value("upload.storage.class") + " is an archive class:"
                    + " VERIFY_DOWNLOAD=true cannot read the backup back until it is restored from the archive");
        }
    }

    /** Whether the restore or verify server ({@code prefix}.host / .port) is not the source's DB_HOST / DB_PORT. */
    private boolean otherServer(String prefix) {
        return !value(prefix + ".host").strip().equalsIgnoreCase(value("db.host").strip())
                || !value(prefix + ".port").strip().equals(value("db.port").strip());
    }

    /** host:port of {@code prefix}.host / .port, for the message. */
    private String server(String prefix) {
        return value(prefix + ".host").strip() + ":" + value(prefix + ".port").strip();
    }

    /** A psql that cannot refuse backslash commands runs only when PSQL_ALLOW_UNRESTRICTED=true says so. */
    private void unrestrictedPsql() {
        String problem = io.pgbackup.restore.MetaCommandGuard.problem(context);
        if (problem != null) {
            throw new InvalidSettingException("PSQL_PATH", problem);
        }
    }

    private void ncpKeys(String why) {
        if (value("ncp.access.key").isEmpty() || value("ncp.secretKey").isEmpty()) {
            throw new InvalidSettingException("ACCESS_KEY / SECRET_KEY", "both are needed " + why);
        }
    }

    /**
     * Where a program named without a folder is looked for: the command's PATH, or without one the folders a program
     * is then run from (execvp's default, as under {@code env -i}).
     */
    private String path() {
        return io.pgbackup.settings.RunEnvironment.of(context).getOrDefault("PATH", "/bin:/usr/bin");
    }

    /** A client program a command runs only under a condition (pg_dumpall, psql for DB_NAME=*). */
    private void program(String key) {
        Setting setting = declared.get(key);
        String value = value(key);
        String problem = value.isEmpty() ? "is empty (a program name or path)"
                : setting.type().problem(value, "'" + value + "'", path());
        if (problem != null) {
            throw new InvalidSettingException(setting.variable(), problem);
        }
    }

    /**
     * The OpenPGP keys, read now: a public key file that cannot encrypt, or a secret key that the passphrase does not
     * unlock, stops the app before any dump starts. Messages name the setting and never hold key material.
     */
    private void encryptionKeys() {
        if (!value("encryption.public.keys").isEmpty()) {
            try {
                io.pgbackup.crypto.OpenPgpKeys.recipients(value("encryption.public.keys"));
            } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
                throw new InvalidSettingException("ENCRYPTION_PUBLIC_KEYS", e.getMessage());
            }
        }
        if (!value("decryption.key.file").isEmpty() && !value("decryption.key.secret.id").isEmpty()) {
            throw new InvalidSettingException("DECRYPTION_KEY_FILE / DECRYPTION_KEY_SECRET_ID", "set one of them, not both");
        }
        if (!value("decryption.key.secret.id").isEmpty()) {
            ncpKeys("to read DECRYPTION_KEY_SECRET_ID from Secret Manager");
        }
        if (!value("decryption.key.file").isEmpty()) {
            try {
                io.pgbackup.crypto.Encryption.keysFromFile(value("decryption.key.file"), value("decryption.key.passphrase"));
            } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
                throw new InvalidSettingException(e.getMessage().startsWith("the passphrase") ? "DECRYPTION_KEY_PASSPHRASE"
                        : "DECRYPTION_KEY_FILE", e.getMessage());
            }
        }
    }

    /** The manifest signing key and the keys that check signatures, read now (messages name the setting). */
    private void signingKeys() {
        if (!value("signing.key.file").isEmpty() && !value("signing.key.secret.id").isEmpty()) {
            throw new InvalidSettingException("SIGNING_KEY_FILE / SIGNING_KEY_SECRET_ID", "set one of them, not both");
        }
        if (!value("signing.key.secret.id").isEmpty()) {
            ncpKeys("to read SIGNING_KEY_SECRET_ID from Secret Manager");
        }
        try {
            if (!value("signing.key.file").isEmpty()) {
                io.pgbackup.crypto.ManifestSignature signature = new io.pgbackup.crypto.ManifestSignature();
                signature.setKeyFile(value("signing.key.file"));
                signature.setPassphrase(value("signing.key.passphrase"));
                signature.signerFromFile();
            }
        } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
            throw new InvalidSettingException(e.getMessage().startsWith("the passphrase") ? "SIGNING_KEY_PASSPHRASE"
                    : "SIGNING_KEY_FILE", e.getMessage());
        }
        try {
            if (!value("signature.public.keys").isEmpty()) {
                io.pgbackup.crypto.ManifestSignature.publicKeys(value("signature.public.keys"));
            }
        } catch (io.pgbackup.crypto.OpenPgpKeys.KeyException e) {
            throw new InvalidSettingException("SIGNATURE_PUBLIC_KEYS", e.getMessage());
        }
    }

    /** The management server's port must be free: otherwise the service would run with no health endpoint. */
    private void freePort() {
        String host = value("management.host");
        int port = Integer.parseInt(value("management.port"));
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
            String reason = String.valueOf(e.getMessage());
            // a port in use is the port's fault; an address not on this machine (or unknown) the host's
            throw new InvalidSettingException(reason.contains("in use") ? "MANAGEMENT_PORT" : "MANAGEMENT_HOST",
                    "cannot listen on " + host + ":" + port + " (" + reason + ")");
        }
    }

    /**
     * Two part buffers are in memory, and the HTTP client may hold a third copy of the part it sends; the rest of the
     * app needs about 64 MiB. A part size the heap cannot hold would end in "Java heap space" mid-backup.
     */
    static void partSizeFitsTheHeap(long partSize, long maxHeap) {
        long needed = 3 * partSize + 64L * 1024 * 1024;
        if (needed > maxHeap) {
            throw new InvalidSettingException("UPLOAD_PART_SIZE", partSize / (1024 * 1024) + " MiB parts need about "
                    + needed / (1024 * 1024) + " MiB of heap, the JVM has " + maxHeap / (1024 * 1024)
                    + " MiB: lower UPLOAD_PART_SIZE or raise -Xmx (PG_BACKUP_JAVA_OPTS)");
        }
    }

    private String value(String key) {
        return SettingsDeclaration.value(context, key);
    }
}
