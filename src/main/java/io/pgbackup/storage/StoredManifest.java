package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;

import io.pgbackup.crypto.ManifestSignature;
import io.pgbackup.manifest.BackupManifest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup's manifest ({@code KEY.manifest.json}) as the store holds it, for {@link BackupCatalog}: read (at most
 * {@link BackupManifest#MAX_BYTES}) and, with SIGNATURE_PUBLIC_KEYS, refused unless {@code KEY.manifest.json.asc} is a
 * good signature of its exact bytes by one of those keys. A manifest that cannot be read or parsed is an exception.
 *
 * @param manifest the manifest (null when refused)
 * @param refused  {@link BackupCatalog.State#UNSIGNED} or {@link BackupCatalog.State#BAD_SIGNATURE}; null when not refused
 * @param note     why it was refused
 */
record StoredManifest(BackupManifest manifest, BackupCatalog.State refused, String note) {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.catalog");

    /** The manifest of {@code backup}, or null when it has none. */
    static StoredManifest read(ObjectStore store, ManifestSignature signature, BackupKey backup) throws IOException {
        InputStream stored = store.getIfPresent(backup.manifestKey());
        if (stored == null) {
            return null;
        }
        byte[] bytes = BackupManifest.readBytes(stored, BackupManifest.MAX_BYTES);
        if (signature != null && signature.isVerifying()) {
            String signatureKey = ManifestSignature.keyOf(backup.manifestKey());
            byte[] asc;
            try (InputStream in = store.getIfPresent(signatureKey)) {
                if (in == null) {
                    return new StoredManifest(null, BackupCatalog.State.UNSIGNED, "no signature "
                            + signatureKey.substring(backup.key().lastIndexOf('/') + 1));
                }
                asc = in.readNBytes(ManifestSignature.MAX_SIGNATURE_BYTES + 1);
            }
            ManifestSignature.Check check = signature.verify(bytes, asc);
            if (!check.good()) {
                LOG.warn("manifest of {} badly signed: {}", backup.key(), check.note());
                return new StoredManifest(null, BackupCatalog.State.BAD_SIGNATURE, check.note());
            }
        }
        return new StoredManifest(BackupManifest.parse(bytes), null, null);
    }
}
