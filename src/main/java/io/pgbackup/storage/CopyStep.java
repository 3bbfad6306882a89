package io.pgbackup.storage;

import java.nio.charset.StandardCharsets;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;
import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.Failures;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy's part after the primary's manifest is written (copy-to.yaml): the copy's own manifest (the primary's
 * bytes, re-keyed and re-signed only when COPY_TO_PREFIX differs from BACKUP_PREFIX) and signature, then the verdict:
 * a copy that failed fails the run (COPY_TO_REQUIRED=true; the primary's object and manifest are kept) or is an alert
 * (false). Also removes the copy of a backup that failed after its upload.
 */
public class CopyStep {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.copy");

    private CopyStore copyStore;
    private ObjectStore store;
    private BackupObjects copyObjects;
    private ManifestSignature signature;

    /** Whether this run uploaded (or tried to upload) a copy. */
    public boolean hasCopy(Exchange exchange) {
        return exchange.getProperty(TeeUpload.COPY) != null;
    }

    /** Whether the copy failed (its upload, or its manifest). */
    public boolean failed(Exchange exchange) {
        TeeUpload.Copy copy = exchange.getProperty(TeeUpload.COPY, TeeUpload.Copy.class);
        return copy != null && copy.failure() != null;
    }

    /** The copy's manifest (and signature) beside its object; a failure is recorded as the copy's failure. */
    public void writeManifest(Exchange exchange) {
        TeeUpload.Copy copy = exchange.getProperty(TeeUpload.COPY, TeeUpload.Copy.class);
        if (copy == null || copy.failure() != null) {
            return;
        }
        Exchange copied = copy.exchange();
        try {
            byte[] manifest = exchange.getProperty(ManifestSignature.MANIFEST_BYTES, byte[].class);
            byte[] signed = exchange.getProperty(ManifestStep.SIGNATURE, byte[].class);
            java.util.List<StoredObject> copyObjects = BackupObjects.stored(copied);
            boolean continued = copyObjects != null && copyObjects.size() > 1;
            if (!copy.key().equals(DatabaseRun.of(exchange).key()) || continued) {
                // the copy's own key, and (a backup of more than one object) the copy's own objects and ETags
                BackupManifest rekeyed = BackupManifest.parse(manifest);
                rekeyed.key = copy.key();
                if (continued) {
                    rekeyed.objects = copyObjects;
                }
                manifest = rekeyed.toJson().getBytes(StandardCharsets.UTF_8);
                if (signed != null) {
                    copied.setProperty(ManifestSignature.MANIFEST_BYTES, manifest);
                    copied.setProperty(ManifestSignature.SIGNER, exchange.getProperty(ManifestSignature.SIGNER));
                    signed = signature.sign(copied);
                }
            }
            String manifestKey = BackupManifest.keyOf(copy.key());
            store.put(manifestKey, manifest, manifest.length, "application/json", UploadHeaders.Headers.NONE);
            DatabaseRun.of(copied).stored().setManifestWritten(true);
            if (signed != null) {
                store.put(ManifestSignature.keyOf(manifestKey), signed, signed.length, "application/pgp-signature",
                        UploadHeaders.Headers.NONE);
            }
            LOG.info("backup of {} copied: {}/{}", DatabaseRun.of(exchange).databaseOr("?"), copyStore.bucket(), copy.key());
        } catch (Exception e) {
            exchange.setProperty(TeeUpload.COPY, new TeeUpload.Copy(copy.key(), copied, e));
            LOG.warn("the manifest of the copy {} could not be written to {}: {}", copy.key(), copyStore.describe(),
                    Failures.oneLine(e));
            removeCopy(exchange);
        }
    }

    /**
     * A failed copy: COPY_TO_REQUIRED=true fails the run, naming the copy store (the primary's object and manifest stay:
     * the run's objectStored is cleared, so the dead letter removes nothing); false: sets the alert to send.
     */
    public void failUnlessOptional(Exchange exchange) {
        TeeUpload.Copy copy = exchange.getProperty(TeeUpload.COPY, TeeUpload.Copy.class);
        String what = "the copy of backup " + DatabaseRun.of(exchange).key() + " to " + copyStore.describe() + " FAILED: "
                + Failures.oneLine(copy.failure());
        if (copyStore.isRequired()) {
            DatabaseRun.of(exchange).stored().setObjectStored(false);
            throw new CopyFailedException(what + "; the primary store's backup is stored and kept (COPY_TO_REQUIRED=true"
                    + " fails the run)");
        }
        exchange.setProperty("alert", what);
        exchange.setProperty("alertAction", "the primary store's backup is stored and good; no copy this time"
                + " (COPY_TO_REQUIRED=false: the run succeeds)");
    }

    /** A backup that failed after its upload: the copy's object (and manifest) go too, only when this run wrote them. */
    public void removeCopy(Exchange exchange) {
        TeeUpload.Copy copy = exchange.getProperty(TeeUpload.COPY, TeeUpload.Copy.class);
        if (copy == null || DatabaseRun.of(copy.exchange()).stored().etag() == null) {
            return;
        }
        DatabaseRun.of(copy.exchange()).setKey(copy.key());
        copyObjects.removeWhatThisRunWrote(copy.exchange());
    }

    /** The copy store failed and COPY_TO_REQUIRED=true: the run fails, in stage "copy". */
    public static final class CopyFailedException extends RuntimeException {
        public CopyFailedException(String message) {
            super(message);
        }
    }

    public void setCopyStore(CopyStore copyStore) {
        this.copyStore = copyStore;
    }

    /** The copy store's objects. */
    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setCopyObjects(BackupObjects copyObjects) {
        this.copyObjects = copyObjects;
    }

    public void setSignature(ManifestSignature signature) {
        this.signature = signature;
    }
}
