package io.pgbackup.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.pgbackup.manifest.StoredObject;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Uploads a stream of unknown length (the compressed dump while pg_dump is still producing it) to Object Storage
 * through an aws2-s3 endpoint: its client, bucket, part size and settings. camel-aws2-s3's own producer needs the
 * length before it starts, so it would have to hold the whole dump (on disk or in heap) first.
 * <p>
 * A body shorter than one part is one PutObject. A longer one is a multipart upload: one part is read while the one
 * before it uploads (two part buffers; nothing on disk), each part carries its Content-MD5 so the store checks it,
 * and a failure of the source or of a part aborts the upload, so no object and no orphaned parts are left.
 * After the upload the object is checked with HEAD: its size and its ETag (the MD5, or for multipart the MD5 of the
 * parts' MD5s) must be what was sent. A stream longer than UPLOAD_MAX_PARTS parts goes on in continuation objects
 * ({@link ObjectSequence}: {@code KEY.part2} ...), each its own multipart upload with its own HEAD check. The SHA-256
 * of the whole object (all of them) is recorded (in the run's {@link io.pgbackup.run.StoredBackup}) for the manifest,
 * and so is the SHA-256 of every CHUNK_SIZE chunk of it:
 * a restore checks each chunk before any of its bytes is used. While it runs, a progress line is logged every
 * {@code progressIntervalSeconds}.
 */
public class StreamingUpload {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.upload");
    private static final ScheduledExecutorService PROGRESS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pg-backup-progress");
        t.setDaemon(true);
        return t;
    });

    private int progressIntervalSeconds;

    private ObjectStore store;
    private UploadHeaders uploadHeaders;

    public void upload(Exchange exchange) throws Exception {
        S3Client s3 = store.client();
        String bucket = store.bucket();
        long configuredPartSize = store.partSize();
        int partSize = (int) configuredPartSize; // 5 MiB..1 GiB: UPLOAD_PART_SIZE's declaration, checked at start
        String key = exchange.getMessage().getHeader(AWS2S3Constants.KEY, String.class);
        String contentType = exchange.getMessage().getHeader(AWS2S3Constants.CONTENT_TYPE, "application/octet-stream", String.class);
        InputStream body = exchange.getMessage().getMandatoryBody(InputStream.class);

        Progress progress = new Progress(exchange, key);
        ScheduledFuture<?> ticker = progressIntervalSeconds > 0
                ? PROGRESS.scheduleAtFixedRate(progress::log, progressIntervalSeconds, progressIntervalSeconds, TimeUnit.SECONDS)
                : null;
        // OBJECT_LOCK_MODE's retention and UPLOAD_STORAGE_CLASS, on the PutObject or CreateMultipartUpload
        // (none for the copy store's upload: its store may have neither)
        UploadHeaders.Headers headers = uploadHeaders == null ? UploadHeaders.Headers.NONE
                : uploadHeaders.forBackup(exchange);
        MessageDigest whole = digest("SHA-256");
        ChunkHashes chunks = new ChunkHashes(Integer.parseInt(io.pgbackup.settings.SettingsDeclaration.value(
                exchange.getContext(), "upload.chunk.size").strip()));
        Hashes sha256 = new Hashes(whole, chunks);
        int maxParts = Integer.parseInt(io.pgbackup.settings.SettingsDeclaration.value(exchange.getContext(),
                "upload.max.parts").strip());
        List<StoredObject> stored;
        try (InputStream in = body) {
            byte[] first = new byte[partSize];
            int n = in.readNBytes(first, 0, partSize);
            sha256.update(first, 0, n);
            progress.read.addAndGet(n);
            if (n < partSize) {
                StoredObject one = store.put(key, first, n, contentType, headers);
                progress.uploaded.addAndGet(n);
                // what this run wrote: only an object with this ETag is ever removed by it (BackupObjects)
                DatabaseRun.of(exchange).stored().setEtag(one.etag());
                // a mismatch is not removed: the object under the key may be another writer's (two processes, one key)
                ObjectSequence.checkStored(store, one);
                stored = List.of(one);
                DatabaseRun.of(exchange).stored().setObjects(stored);
            } else {
                ObjectSequence objects = new ObjectSequence(store, key, maxParts, k -> s3.createMultipartUpload(
                        CreateMultipartUploadRequest.builder().bucket(bucket).key(k).contentType(contentType)
                                .applyMutation(headers::create).build())
                        .uploadId(), exchange);
                stored = multipart(s3, bucket, in, first, partSize, sha256, progress, objects);
                DatabaseRun.of(exchange).stored().setEtag(stored.get(0).etag());
            }
        } finally {
            if (ticker != null) {
                ticker.cancel(false);
            }
        }
        DatabaseRun run = DatabaseRun.of(exchange);
        run.setCompressedBytes(StoredObject.totalBytes(stored));
        run.stored().setParts(stored.stream().mapToInt(StoredObject::parts).sum());
        run.stored().setHashes(HexFormat.of().formatHex(whole.digest()), chunks.chunkBytes(), chunks.finish());
        LOG.debug("stored {}/{}: {}", bucket, key, stored);
    }

    /**
     * The stream in parts, one uploading while the next is read, into {@code objects} (a new object after every
     * UPLOAD_MAX_PARTS parts); returns the objects stored, each checked.
     */
    private static List<StoredObject> multipart(S3Client s3, String bucket, InputStream in, byte[] first, int partSize,
            Hashes sha256, Progress progress, ObjectSequence objects) throws Exception {
        ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pg-backup-upload");
            t.setDaemon(true);
            return t;
        });
        Future<PartResult> inFlight = null;
        try {
            inFlight = uploader.submit(uploadPart(s3, bucket, objects, first, first.length, progress));
            byte[] spare = new byte[partSize];
            while (true) {
                int n = in.readNBytes(spare, 0, partSize);
                sha256.update(spare, 0, n);
                progress.read.addAndGet(n);
                if (n == 0) {
                    break;
                }
                PartResult previous = await(inFlight);
                inFlight = null;
                objects.partDone(previous);
                inFlight = uploader.submit(uploadPart(s3, bucket, objects, spare, n, progress));
                spare = previous.buffer;
                if (n < partSize) {
                    break;
                }
            }
            objects.partDone(await(inFlight));
            inFlight = null;
            objects.complete();
            return objects.stored();
        } catch (Exception | Error e) {
            if (inFlight != null) {
                inFlight.cancel(true);
            }
            uploader.shutdownNow();
            uploader.awaitTermination(30, TimeUnit.SECONDS);
            objects.abort(e);
            throw e;
        } finally {
            uploader.shutdown();
        }
    }

    /** The next part of {@code objects} (numbered now, on the reading thread, when no part is in flight). */
    private static java.util.concurrent.Callable<PartResult> uploadPart(S3Client s3, String bucket, ObjectSequence objects,
            byte[] data, int length, Progress progress) {
        int number = objects.nextPart();
        String key = objects.key();
        String uploadId = objects.uploadId();
        return () -> {
            MessageDigest md5 = digest("MD5");
            md5.update(data, 0, length);
            byte[] hash = md5.digest();
            String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                    .partNumber(number).contentLength((long) length)
                    .contentMD5(Base64.getEncoder().encodeToString(hash))
                    .overrideConfiguration(o -> o.addPlugin(PlainSignedPayload.INSTANCE)).build(), ObjectStore.body(data, length)).eTag();
            progress.uploaded.addAndGet(length);
            return new PartResult(number, etag, hash, data, length);
        };
    }

    private static PartResult await(Future<PartResult> part) throws Exception {
        try {
            return part.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this Java", e);
        }
    }

    public void setStore(ObjectStore store) {
        this.store = store;
    }

    public void setUploadHeaders(UploadHeaders uploadHeaders) {
        this.uploadHeaders = uploadHeaders;
    }

    public void setProgressIntervalSeconds(int seconds) {
        this.progressIntervalSeconds = seconds;
    }

    /** The whole object's SHA-256 and its chunks', fed together as the bytes go up. */
    private record Hashes(MessageDigest whole, ChunkHashes chunks) {
        void update(byte[] data, int offset, int length) {
            whole.update(data, offset, length);
            chunks.update(data, offset, length);
        }
    }

    /** A stored part: its number, the ETag the store gave it, its MD5, its buffer (free again) and its length. */
    record PartResult(int number, String etag, byte[] md5, byte[] buffer, int length) {
    }

    /** The progress line: how far the dump and the upload are, and the upload rate. */
    private static final class Progress {
        final AtomicLong read = new AtomicLong();
        final AtomicLong uploaded = new AtomicLong();
        private final Exchange exchange;
        private final String key;
        private final long started = System.nanoTime();

        Progress(Exchange exchange, String key) {
            this.exchange = exchange;
            this.key = key;
        }

        void log() {
            double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
            io.pgbackup.run.DumpFacts dump = DatabaseRun.of(exchange).dump();
            String dumped = dump == null ? "" : "dumped " + mib(dump.bytes()) + ", ";
            LOG.info("backup of {} in progress: {}compressed {}, uploaded {} ({}/s) after {} s -> {}",
                    DatabaseRun.of(exchange).databaseOr("?"), dumped, mib(read.get()), mib(uploaded.get()),
                    mib((long) (uploaded.get() / seconds)), Math.round(seconds), key);
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
    }
}
