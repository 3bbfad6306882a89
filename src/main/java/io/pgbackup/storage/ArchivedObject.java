package io.pgbackup.storage;

import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A backup in an archive storage class (UPLOAD_STORAGE_CLASS=DEEP_ARCHIVE on NCP, GLACIER or DEEP_ARCHIVE on AWS)
 * cannot be read until it is restored from the archive: the store answers a GET with 403 InvalidObjectState. Restore
 * and verify then say so in one plain line instead of the store's error.
 */
public final class ArchivedObject {

    private ArchivedObject() {
    }

    /** The plain line for {@code failure} when it is a read of an archived object; null for any other failure. */
    public static String explain(Throwable failure, String bucket, String key) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof S3Exception s3 && s3.awsErrorDetails() != null
                    && "InvalidObjectState".equals(s3.awsErrorDetails().errorCode())) {
                return bucket + "/" + key + " is in archive storage and cannot be read until it is restored from the"
                        + " archive: restore it in the console first (NCP: Object Storage > restore from archive; AWS: S3 >"
                        + " Initiate restore), wait until it is readable, then run this again";
            }
        }
        return null;
    }
}
