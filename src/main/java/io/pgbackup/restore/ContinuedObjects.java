package io.pgbackup.restore;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;

import io.pgbackup.storage.ContinuationKey;
import io.pgbackup.storage.ObjectStore;
import io.pgbackup.manifest.StoredObject;
import io.pgbackup.storage.StoredObjectMismatchException;
import io.pgbackup.streams.BulkInputStream;

import org.apache.camel.Exchange;

/**
 * A backup stored in several objects ({@code KEY}, {@code KEY.part2} ...: {@link ContinuationKey}) read as the one
 * stream it was uploaded as, for {@link CheckedBackupStream} (and so {@link VerifiedChunks}: the chunk hashes are
 * those of this stream). Each object is fetched when the one before it has ended, and must hold exactly the bytes the
 * manifest records for it: one that is missing, shorter or longer ends the stream with a
 * {@link VerifiedChunks.ChunkMismatchException} naming it. {@link #check} HEADs every object before anything is read:
 * a missing object, or one whose size or ETag (of the same form: a copy stored in other parts has another) is not the
 * manifest's, fails naming it before any byte is used; the chunk hashes cover the content whatever the ETag says.
 * <p>
 * The manifest's object keys are never used as they are: each must be the name its place gives it ({@code KEY}, then
 * {@code KEY.part2} ...), so a manifest cannot point a restore at any other object.
 */
public final class ContinuedObjects extends BulkInputStream {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("pg-backup.restore");

    private final InputStream first;
    /** Downloads another object by key; null when there is no such key. */
    private final Function<String, InputStream> open;
    private final String backupKey;
    private final List<StoredObject> objects;
    private InputStream current;
    private int index = -1;
    private long remaining;

    /**
     * @param first   the first object's download (the backup's own key)
     * @param open    downloads another object by key (null when there is no such key)
     * @param objects the manifest's objects (checked with {@link #listed} first)
     */
    public ContinuedObjects(InputStream first, Function<String, InputStream> open, String backupKey,
            List<StoredObject> objects) {
        this.first = first;
        this.open = open;
        this.backupKey = backupKey;
        this.objects = List.copyOf(objects);
    }

    /**
     * For the routes: {@code first} (the download of {@code backupKey}) followed by the rest of {@code objects} (the
     * manifest's, or the ones just stored), checked first ({@link #listed}, {@link #check}); {@code first} as it is
     * when the backup is one object.
     */
    public static InputStream open(Exchange exchange, String backupKey, List<StoredObject> objects, Long objectBytes,
            InputStream first) throws IOException {
        if (objects == null || objects.size() < 2) {
            return first;
        }
        ObjectStore store = exchange.getContext().getRegistry().lookupByNameAndType("objectStore", ObjectStore.class);
        try {
            check(store, backupKey, listed(backupKey, objects, objectBytes));
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        return new ContinuedObjects(first, store::getIfPresent, backupKey, objects);
    }

    /**
     * The manifest's objects of {@code backupKey}, when each has the key its place gives it, a size (only the last may
     * be empty) and together {@code objectBytes} (when recorded); else why not, naming the backup.
     */
    public static List<StoredObject> listed(String backupKey, List<StoredObject> objects, Long objectBytes) {
        for (int i = 0; i < objects.size(); i++) {
            StoredObject object = objects.get(i);
            String expected = ContinuationKey.key(backupKey, i + 1);
            if (object == null || !expected.equals(object.key())) {
                throw new StoredObjectMismatchException("the manifest of " + backupKey + " lists "
                        + (object == null ? "nothing" : object.key()) + " as its object " + (i + 1) + " of "
                        + objects.size() + ", where " + expected + " belongs: not read");
            }
            if (object.bytes() < 0 || object.bytes() == 0 && i < objects.size() - 1) {
                throw new StoredObjectMismatchException("the manifest of " + backupKey + " records " + object.bytes()
                        + " bytes for " + object.key() + ": not read");
            }
        }
        if (objectBytes != null && StoredObject.totalBytes(objects) != objectBytes) {
            throw new StoredObjectMismatchException("the manifest of " + backupKey + " records " + objectBytes
                    + " bytes, its objects " + StoredObject.totalBytes(objects) + ": not read");
        }
        return List.copyOf(objects);
    }

    /**
     * Before anything is read: every object is there, with the size and (when the store reports an MD5 form) the ETag
     * the manifest records; else a mismatch naming the first that is not.
     */
    public static void check(ObjectStore store, String backupKey, List<StoredObject> objects) {
        for (int i = 0; i < objects.size(); i++) {
            StoredObject object = objects.get(i);
            String which = object.key() + " (object " + (i + 1) + " of " + objects.size() + " of backup " + backupKey + ")";
            StoredObject head = store.head(object.key());
            if (head == null) {
                throw missing(which);
            }
            if (head.bytes() != object.bytes()) {
                throw new StoredObjectMismatchException(which + " has " + head.bytes() + " bytes, its manifest"
                        + " records " + object.bytes() + ": cut short or replaced; nothing of the backup was used");
            }
            String etag = head.etag();
            if (object.etag() != null && !etag.equals(object.etag())) {
                if (StoredObject.isMd5Form(etag) && sameForm(etag, object.etag())) {
                    throw new StoredObjectMismatchException(which + " has ETag " + etag + ", its manifest records "
                            + object.etag() + ": replaced; nothing of the backup was used");
                }
                // stored again in another way (a copy into another bucket, uploaded in other parts): not comparable
                LOG.warn("{} has ETag {}, its manifest records {}: it was stored again since (copied?); its content is"
                        + " checked chunk by chunk as it is read", which, etag, object.etag());
            }
        }
    }

    /** Whether two ETags have the same form: both of one PUT, or both of a multipart upload of as many parts. */
    private static boolean sameForm(String etag, String recorded) {
        int dash = etag.indexOf('-');
        int recordedDash = recorded.indexOf('-');
        return dash < 0 ? recordedDash < 0 : recordedDash >= 0 && etag.substring(dash).equals(recorded.substring(recordedDash));
    }

    private static StoredObjectMismatchException missing(String which) {
        return new StoredObjectMismatchException(which + " is missing: the backup is incomplete; nothing of it was used");
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (current == null) {
                if (index + 1 >= objects.size()) {
                    return -1;
                }
                index++;
                current = index == 0 ? first : openNext();
                remaining = objects.get(index).bytes();
            }
            if (remaining == 0) {
                if (current.read() >= 0) {
                    throw new VerifiedChunks.ChunkMismatchException(name() + " is longer than the "
                            + objects.get(index).bytes() + " bytes its manifest records: replaced; nothing after its"
                            + " recorded end was used");
                }
                current.close();
                current = null;
                continue;
            }
            int n = current.read(buffer, offset, (int) Math.min(length, remaining));
            if (n < 0) {
                throw new VerifiedChunks.ChunkMismatchException(name() + " ends after "
                        + (objects.get(index).bytes() - remaining) + " bytes, its manifest records "
                        + objects.get(index).bytes() + ": cut short or replaced");
            }
            remaining -= n;
            return n;
        }
    }

    private InputStream openNext() throws IOException {
        InputStream next = open.apply(objects.get(index).key());
        if (next == null) {
            throw new VerifiedChunks.ChunkMismatchException(name() + " is missing: the backup is incomplete");
        }
        return next;
    }

    private String name() {
        return "object " + objects.get(index).key() + " (" + (index + 1) + " of " + objects.size() + " of backup "
                + backupKey + ")";
    }

    /** Which objects bytes {@code from} to {@code to} of the stream lie in, for a chunk's mismatch message. */
    String place(long from, long to) {
        StringBuilder place = new StringBuilder();
        long start = 0;
        for (StoredObject object : objects) {
            long end = start + object.bytes() - 1;
            if (end >= from && start <= to) {
                place.append(place.length() == 0 ? " in object " : " and ").append(object.key()).append(" (its bytes ")
                        .append(Math.max(from, start) - start).append(" to ").append(Math.min(to, end) - start).append(')');
            }
            start = end + 1;
        }
        return place.toString();
    }

    @Override
    public void close() throws IOException {
        try {
            if (current != null && current != first) {
                current.close();
            }
        } finally {
            first.close();
        }
    }
}
