package io.pgbackup.manifest;

import java.util.List;
import java.util.Locale;

/**
 * One object a backup is stored in, as the manifest lists it ({@code objects}, for a backup of more than one object):
 * its key ({@link ContinuationKey}), its size, its part count (0: a single PUT) and the ETag the store gave it.
 */
public record StoredObject(String key, long bytes, int parts, String etag) {

    /** An ETag as the store sends it (quoted, any case) in the form this project compares: unquoted, lower case. */
    public static String etag(String sent) {
        return sent == null ? "" : sent.replace("\"", "").toLowerCase(Locale.ROOT);
    }

    /** Whether {@code etag} is an MD5 form (a PUT's MD5, or a multipart upload's MD5 of MD5s with its part count). */
    public static boolean isMd5Form(String etag) {
        return etag.matches("[0-9a-f]{32}(-\\d+)?");
    }

    /** The bytes of all of {@code objects}. */
    public static long totalBytes(List<StoredObject> objects) {
        return objects.stream().mapToLong(StoredObject::bytes).sum();
    }
}
