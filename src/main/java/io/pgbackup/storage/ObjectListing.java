package io.pgbackup.storage;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The stored backups under BACKUP_PREFIX (all databases, or exchange property {@value RunProperties#LIST_DATABASE}), oldest first, for
 * list-backups (list.yaml: list, backup, restore, verify, prune, the stale and managed-backup checks). The store
 * lists the prefix ({@link ObjectStore#list}: ListObjects v1, page by page); only keys that match the backup naming pattern
 * ({@link BackupKey}) are kept. A backup's continuation objects ({@link ContinuationKey}: {@code KEY.part2} ...) are
 * never listed as backups of their own: they are kept apart ({@value #CONTINUATIONS}), and the backup is listed with
 * the size of all its objects. Which backups have a manifest beside them is kept too ({@value #MANIFESTS}).
 */
public class ObjectListing {

    /** The keys of the listed backups that have a manifest beside them (a Set of backup keys). */
    public static final String MANIFESTS = "listedManifests";
    /** The continuation objects of the listed backups: a Map from a backup's key to its continuation objects. */
    public static final String CONTINUATIONS = "listedContinuations";

    private ObjectStore store;
    private String prefix = "";

    /** The backups, oldest first; {@value #MANIFESTS} and {@value #CONTINUATIONS} are set beside them. */
    public List<S3Object> backups(Exchange exchange) {
        return collect(exchange, each -> store.list(prefix, each));
    }

    /** The backups among what {@code listing} gives, one object at a time. */
    List<S3Object> collect(Exchange exchange, Consumer<Consumer<S3Object>> listing) {
        String database = exchange.getProperty(RunProperties.LIST_DATABASE, String.class);
        Set<String> manifests = new HashSet<>();
        Map<String, List<S3Object>> continuations = new HashMap<>();
        List<S3Object> kept = new ArrayList<>();
        listing.accept(object -> {
            String key = object.key();
            String continued = ContinuationKey.backupOf(key);
            if (isBackup(key, prefix, database)) {
                kept.add(object);
            } else if (!continued.equals(key) && isBackup(continued, prefix, database)) {
                continuations.computeIfAbsent(continued, k -> new ArrayList<>()).add(object);
            } else if (key.endsWith(BackupManifest.SUFFIX)) {
                String backup = key.substring(0, key.length() - BackupManifest.SUFFIX.length());
                if (isBackup(backup, prefix, database)) {
                    manifests.add(backup);
                }
            }
        });
        exchange.setProperty(MANIFESTS, manifests);
        exchange.setProperty(CONTINUATIONS, continuations);
        List<S3Object> result = new ArrayList<>();
        for (S3Object object : kept) {
            List<S3Object> more = continuations.get(object.key());
            result.add(more == null ? object : object.toBuilder().size(sizeOf(object) + more.stream()
                    .mapToLong(ObjectListing::sizeOf).sum()).build());
        }
        // keys carry their timestamp, so key order is time order per database
        result.sort(Comparator.comparing((S3Object object) -> timeOf(object.key())).thenComparing(S3Object::key));
        return result;
    }

    private static long sizeOf(S3Object object) {
        return object.size() == null ? 0 : object.size();
    }

    static boolean isBackup(String key, String prefix, String database) {
        return BackupKey.parse(key, prefix)
                .filter(backup -> database == null || database.isEmpty() || backup.database().equals(database))
                .isPresent();
    }

    /** The time in a collected key (collected keys all match the pattern). */
    private LocalDateTime timeOf(String key) {
        return BackupKey.parse(key, prefix).orElseThrow().time();
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }
}
