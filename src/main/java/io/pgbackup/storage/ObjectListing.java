package io.pgbackup.storage;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.camel.Exchange;

import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Pages through a bucket with ListObjects v1 (NCP Object Storage has no v2), 1000 keys a page, using the last key
 * of a page as the next marker: a full page means "ask again".
 * <p>
 * Used by the list-backups route (list.yaml: list, backup, restore, verify, prune, the stale and managed-backup checks)
 * in a loop: {@link #start} forgets an earlier listing on the same exchange, {@link #nextPage} asks the shared client
 * ({@link ObjectStorage}) for the next page ({@link #nextRequest}) and {@link #collectPage} keeps the backups and
 * decides whether to go on. Only keys that match the backup naming
 * pattern ({@link BackupKey}) are kept. A backup's continuation objects ({@link ContinuationKey}: {@code KEY.part2}
 * ...) are never listed as backups of their own: they are kept apart ({@value #CONTINUATIONS}), and the backup is
 * listed with the size of all its objects.
 */
public class ObjectListing {

    public static final String MORE = "listingMore";
    /** Exchange property: keep only this database's backups (unset or empty: all). */
    public static final String DATABASE = "listDatabase";
    public static final String OBJECTS = "listedObjects";
    /** The keys of the listed backups that have a manifest beside them (a Set of backup keys). */
    public static final String MANIFESTS = "listedManifests";
    /** The continuation objects of the listed backups: a Map from a backup's key to its continuation objects. */
    public static final String CONTINUATIONS = "listedContinuations";
    private static final String MARKER = "listingMarker";
    private static final String PAGES = "listingPages";
    private static final int MAX_PAGES = 100_000;

    private ObjectStorage storage;
    private String bucket = "";
    private String prefix = "";
    private int pageSize = 1000;

    /** A new listing: what an earlier listing on this exchange collected is dropped. */
    public void start(Exchange exchange) {
        exchange.removeProperty(OBJECTS);
        exchange.setProperty(MANIFESTS, new java.util.HashSet<String>());
        exchange.setProperty(CONTINUATIONS, new java.util.HashMap<String, List<S3Object>>());
        exchange.removeProperty(MARKER);
        exchange.removeProperty(PAGES);
        exchange.setProperty(MORE, true);
    }

    public ListObjectsRequest nextRequest(Exchange exchange) {
        String marker = exchange.getProperty(MARKER, String.class);
        ListObjectsRequest.Builder request = ListObjectsRequest.builder().bucket(bucket).maxKeys(pageSize);
        if (prefix != null && !prefix.isEmpty()) {
            request.prefix(prefix);
        }
        if (marker != null) {
            request.marker(marker);
        }
        return request.build();
    }

    @SuppressWarnings("unchecked")
    public void collectPage(Exchange exchange) {
        String database = exchange.getProperty(DATABASE, String.class);
        List<S3Object> page = exchange.getMessage().getBody(List.class);
        List<S3Object> kept = exchange.getProperty(OBJECTS, List.class);
        if (kept == null) {
            kept = new ArrayList<>();
            exchange.setProperty(OBJECTS, kept);
        }
        int pages = exchange.getProperty(PAGES, 0, Integer.class) + 1;
        exchange.setProperty(PAGES, pages);
        String previousMarker = exchange.getProperty(MARKER, String.class);
        if (page == null || page.isEmpty()) {
            exchange.setProperty(MORE, false);
            return;
        }
        java.util.Set<String> manifests = exchange.getProperty(MANIFESTS, java.util.Set.class);
        java.util.Map<String, List<S3Object>> continuations = exchange.getProperty(CONTINUATIONS, java.util.Map.class);
        for (S3Object object : page) {
            String key = object.key();
            String continued = ContinuationKey.backupOf(key);
            if (isBackup(key, prefix, database)) {
                kept.add(object);
            } else if (continuations != null && !continued.equals(key) && isBackup(continued, prefix, database)) {
                continuations.computeIfAbsent(continued, k -> new ArrayList<>()).add(object);
            } else if (manifests != null && key.endsWith(io.pgbackup.manifest.BackupManifest.SUFFIX)) {
                String backup = key.substring(0, key.length() - io.pgbackup.manifest.BackupManifest.SUFFIX.length());
                if (isBackup(backup, prefix, database)) {
                    manifests.add(backup);
                }
            }
        }
        String last = page.get(page.size() - 1).key();
        if (last.equals(previousMarker)) {
            throw new IllegalStateException("Object Storage listing did not advance past marker " + last);
        }
        if (pages >= MAX_PAGES) {
            throw new IllegalStateException("Object Storage listing exceeded " + MAX_PAGES + " pages");
        }
        exchange.setProperty(MARKER, last);
        exchange.setProperty(MORE, page.size() >= pageSize);
    }

    /**
     * One page from Object Storage through the shared client ({@link ObjectStorage}), collected; the listing's loop
     * runs while {@value #MORE} is true.
     */
    public void nextPage(Exchange exchange) {
        ListObjectsRequest request = nextRequest(exchange);
        exchange.getMessage().setBody(storage.client(exchange.getContext()).listObjects(request).contents());
        collectPage(exchange);
    }

    /**
     * The collected backups, oldest first (keys carry their timestamp, so key order is time order per database), each
     * with the size of all its objects. The listing's working properties are removed: only {@value #MANIFESTS} and
     * {@value #CONTINUATIONS} stay for the caller.
     */
    @SuppressWarnings("unchecked")
    public List<S3Object> sorted(Exchange exchange) {
        List<S3Object> kept = exchange.getProperty(OBJECTS, List.class);
        java.util.Map<String, List<S3Object>> continuations = exchange.getProperty(CONTINUATIONS, java.util.Map.class);
        List<S3Object> result = new ArrayList<>();
        for (S3Object object : kept == null ? List.<S3Object>of() : kept) {
            List<S3Object> more = continuations == null ? null : continuations.get(object.key());
            if (more == null) {
                result.add(object);
            } else {
                long size = object.size() == null ? 0 : object.size();
                result.add(object.toBuilder().size(size + more.stream().mapToLong(o -> o.size() == null ? 0 : o.size())
                        .sum()).build());
            }
        }
        exchange.removeProperty(OBJECTS);
        exchange.removeProperty(MARKER);
        exchange.removeProperty(PAGES);
        exchange.removeProperty(MORE);
        result.sort(Comparator.comparing((S3Object object) -> timeOf(object.key())).thenComparing(S3Object::key));
        return result;
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

    public void setStorage(ObjectStorage storage) {
        this.storage = storage;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }
}
