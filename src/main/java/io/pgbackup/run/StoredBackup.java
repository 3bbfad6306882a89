package io.pgbackup.run;

import java.util.List;

import io.pgbackup.manifest.StoredObject;

import org.apache.camel.Exchange;

/**
 * What one database's upload stored, part of its {@link DatabaseRun} ({@code ${exchangeProperty.run.stored}}): the
 * objects (each checked by HEAD), the ETag of the first, the SHA-256 of all their bytes and of every chunk of them,
 * their parts, and whether a failure of the backup from here on removes them ({@link #objectStored}) and the manifest
 * this run wrote ({@link #manifestWritten}). storage/StreamingUpload and storage/ObjectSequence fill it; the manifest,
 * the read-back and the removal after a failure read it.
 */
public final class StoredBackup {

    private String etag;
    private List<StoredObject> objects;
    private String sha256;
    private Integer chunkBytes;
    private List<String> chunkSha256;
    private int parts;
    private boolean objectStored;
    private boolean manifestWritten;

    /** For the routes (upload.yaml): the object is stored; from here on a failure of the backup removes it. */
    public static void markObjectStored(Exchange exchange) {
        DatabaseRun.of(exchange).stored().setObjectStored(true);
    }

    /** For the routes (manifest.yaml): the manifest is being written; a failure of the backup removes it too. */
    public static void markManifestWritten(Exchange exchange) {
        DatabaseRun.of(exchange).stored().setManifestWritten(true);
    }

    /** For the routes (failures.yaml): whether a failed backup has objects of its own to remove. */
    public static boolean toRemove(Exchange exchange) {
        return DatabaseRun.of(exchange).stored().objectStored();
    }

    /** A copy: setting one leaves the other (the lists are not changed in place). */
    StoredBackup copy() {
        StoredBackup copy = new StoredBackup();
        copy.etag = etag;
        copy.objects = objects;
        copy.sha256 = sha256;
        copy.chunkBytes = chunkBytes;
        copy.chunkSha256 = chunkSha256;
        copy.parts = parts;
        copy.objectStored = objectStored;
        copy.manifestWritten = manifestWritten;
        return copy;
    }

    /** The ETag of the (first) object this run stored (MD5, or MD5 of the parts' MD5s with the part count). */
    public String etag() {
        return etag;
    }

    public void setEtag(String etag) {
        this.etag = etag;
    }

    /** The objects this run's upload stored, in order, each checked by HEAD (null before it stored any). */
    public List<StoredObject> objects() {
        return objects;
    }

    public void setObjects(List<StoredObject> objects) {
        this.objects = objects == null ? null : List.copyOf(objects);
    }

    /** The SHA-256 of the whole stored stream (all its objects), hex. */
    public String sha256() {
        return sha256;
    }

    /** The chunk size of {@link #chunkSha256} (CHUNK_SIZE). */
    public Integer chunkBytes() {
        return chunkBytes;
    }

    /** The SHA-256 of every chunk of the stored stream, in order (hex). */
    public List<String> chunkSha256() {
        return chunkSha256;
    }

    /** The hashes of the stored stream, computed as its bytes went up. */
    public void setHashes(String sha256, int chunkBytes, List<String> chunkSha256) {
        this.sha256 = sha256;
        this.chunkBytes = chunkBytes;
        this.chunkSha256 = chunkSha256;
    }

    /** The parts of all the objects (0: each a single PUT). */
    public int parts() {
        return parts;
    }

    public void setParts(int parts) {
        this.parts = parts;
    }

    /** Whether a failure of the backup removes what this run stored (cleared when a failed copy must keep it). */
    public boolean objectStored() {
        return objectStored;
    }

    public void setObjectStored(boolean objectStored) {
        this.objectStored = objectStored;
    }

    /** Whether this run wrote the backup's manifest (then a failure removes it too). */
    public boolean manifestWritten() {
        return manifestWritten;
    }

    public void setManifestWritten(boolean manifestWritten) {
        this.manifestWritten = manifestWritten;
    }
}
