package io.pgbackup.storage;

import java.util.HashMap;
import java.util.Map;

import io.pgbackup.cli.CommandLine;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.Failures;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * restore with a copy store (COPY_TO_BUCKET) reading the primary: when the primary's backup cannot be used — no good
 * backup, its object or manifest missing, its size not its manifest's, the store unreachable — the restore is made
 * again from the copy ({@code --from copy}), saying so in one line. This is decided before anything is loaded (the
 * choice of the backup and a HEAD of its object: choose-backup-for-restore in copy-to.yaml); a chunk that fails its
 * check once psql has started cannot fall back without a word: that restore fails, and the failure says to run it
 * again with --from copy.
 */
public class RestoreFallback {

    /** Exchange property: the primary's backup could not be used; the restore is to be made from the copy. */
    public static final String FALL_BACK = "restoreFromCopy";
    /** What {@code PgBackup} returns for a restore that is to be made again from the copy (never an exit code). */
    public static final int AGAIN_FROM_COPY = -1;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");

    private ObjectStore store;
    private CopyStore copyStore;

    /**
     * Reading the copy (--from copy, or the fall-back): a --key under the primary's prefix names the same backup under
     * COPY_TO_PREFIX (exchange property restoreKey); a key under COPY_TO_PREFIX is left as it is.
     */
    public void keyInTheCopy(Exchange exchange) {
        org.apache.camel.CamelContext context = exchange.getContext();
        if (!"copy".equals(context.resolvePropertyPlaceholders("{{storage.from:}}").trim())) {
            return;
        }
        String key = exchange.getProperty(RunProperties.REQUESTED_KEY, "", String.class);
        String primaryPrefix = context.resolvePropertyPlaceholders("{{storage.primary.prefix:}}");
        String copyPrefix = io.pgbackup.settings.SettingsDeclaration.value(context, "backup.prefix");
        if (!key.isEmpty() && !primaryPrefix.equals(copyPrefix) && !key.startsWith(copyPrefix) && key.startsWith(primaryPrefix)) {
            exchange.setProperty(RunProperties.REQUESTED_KEY, copyPrefix + key.substring(primaryPrefix.length()));
        }
    }

    /** The chosen object is there, and as large as its manifest records (the run's manifest). */
    public void checkObject(Exchange exchange) {
        String key = DatabaseRun.of(exchange).key();
        String bucket = store.bucket();
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        java.util.List<StoredObject> objects = manifest != null && manifest.objects != null ? manifest.objects
                : java.util.List.of(new StoredObject(key, manifest == null ? -1 : manifest.objectBytes, 0, null));
        for (StoredObject object : objects) {
            StoredObject head = store.head(object.key());
            if (head == null) {
                throw new StoredObjectMismatchException(bucket + "/" + object.key() + " is missing");
            }
            if (object.bytes() >= 0 && head.bytes() >= 0 && head.bytes() != object.bytes()) {
                throw new StoredObjectMismatchException(bucket + "/" + object.key() + " has " + head.bytes()
                        + " bytes, its manifest records " + object.bytes());
            }
        }
    }

    /** The primary's backup cannot be used (the exception caught): one line, and the restore goes to the copy. */
    public void fallBack(Exchange exchange) {
        Throwable why = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("restore: the primary store's backup cannot be used ({}): restoring from {} instead",
                Failures.oneLine(why), copyStore.describe());
        exchange.setProperty(FALL_BACK, true);
    }

    /** A failed restore that read the primary while a copy exists: one line saying how to read the copy. */
    public void adviseCopy(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (copyStore.isOnBesidePrimary() && fromTheStore(failure, 0)) {
            LOG.error("the backup read from the primary store failed: its copy in {} may be intact: run the restore again"
                    + " with --from copy", copyStore.describe());
        }
    }

    /** Whether the failure is the stored backup's: it failed its check, or could not be read. */
    private static boolean fromTheStore(Throwable failure, int depth) {
        if (failure == null || depth > 20) {
            return false;
        }
        if (failure instanceof StoredObjectMismatchException
                || failure instanceof software.amazon.awssdk.core.exception.SdkException
                || String.valueOf(failure.getMessage()).contains("from Object Storage")) {
            return true;
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            if (fromTheStore(suppressed, depth + 1)) {
                return true;
            }
        }
        return failure.getCause() != failure && fromTheStore(failure.getCause(), depth + 1);
    }

    /** The same restore command, from the copy store. */
    public static CommandLine fromCopy(CommandLine command) {
        Map<String, String> options = new HashMap<>(command.options());
        options.put("from", "copy");
        return new CommandLine(command.name(), Map.copyOf(options));
    }

    /** Whether the restore run in {@code exchange} is to be made again from the copy. */
    public static boolean fallsBack(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(FALL_BACK, Boolean.class));
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setCopyStore(CopyStore copyStore) {
        this.copyStore = copyStore;
    }
}
