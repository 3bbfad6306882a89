package io.pgbackup.storage;

/** What Object Storage holds is not what was sent: the backup is not stored. */
public class StoredObjectMismatchException extends IllegalStateException {

    public StoredObjectMismatchException(String message) {
        super(message);
    }
}
