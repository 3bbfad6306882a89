package io.pgbackup.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.pgbackup.compress.BlockCompression;
import io.pgbackup.dump.DumpStatistics;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The manifest stage (manifest.yaml): the shrink check against the previous good backup of the same database, and
 * the manifest's JSON. A backup whose dump shrank by more than MAX_SHRINK_PERCENT is kept but does not count as
 * good: its manifest carries the warning, a warning notification goes out, and retention does not run after it.
 */
public class ManifestStep {

    public static final String PREVIOUS = "previousManifest";
    public static final String WARNING = "backupWarning";
    /** How many older manifests the shrink check reads at most, looking for a good one. */
    static final int LOOK_BACK = 10;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.manifest");

    private BlockCompression compression;
    private int maxShrinkPercent = 50;

    /** Body: this database's backups, oldest first. Sets {@value #PREVIOUS} to the newest good one's manifest. */
    @SuppressWarnings("unchecked")
    public void findPreviousGood(Exchange exchange, String endpointUri) {
        List<S3Object> backups = new ArrayList<>(exchange.getMessage().getBody(List.class));
        String current = exchange.getProperty("backupKey", String.class);
        AWS2S3Endpoint endpoint = exchange.getContext().getEndpoint(endpointUri, AWS2S3Endpoint.class);
        S3Client s3 = endpoint.getS3Client();
        String bucket = endpoint.getConfiguration().getBucketName();
        int read = 0;
        for (int i = backups.size() - 1; i >= 0 && read < LOOK_BACK; i--) {
            String key = backups.get(i).key();
            if (key.equals(current)) {
                continue;
            }
            read++;
            try {
                BackupManifest manifest = BackupManifest.read(s3.getObject(b -> b.bucket(bucket).key(BackupManifest.keyOf(key))));
                if (manifest.warning == null || manifest.warning.isEmpty()) {
                    exchange.setProperty(PREVIOUS, manifest);
                    return;
                }
            } catch (NoSuchKeyException e) {
                LOG.debug("{} has no manifest (stored before manifests, or never verified)", key);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("manifest of {} unreadable ({}); the shrink check looks further back", key, e.getMessage());
            }
        }
    }

    /** Sets {@value #WARNING} when the dump shrank by more than MAX_SHRINK_PERCENT from the previous good one. */
    public void checkShrink(Exchange exchange) {
        BackupManifest previous = exchange.getProperty(PREVIOUS, BackupManifest.class);
        DumpStatistics dump = exchange.getProperty(DumpStatistics.PROPERTY, DumpStatistics.class);
        if (dump == null) {
            return;
        }
        if (dump.bytes() == 0) {
            exchange.setProperty(WARNING, "the dump is empty");
            return;
        }
        if (previous == null || previous.rawBytes <= 0) {
            return;
        }
        double shrunk = 100.0 * (previous.rawBytes - dump.bytes()) / previous.rawBytes;
        if (shrunk > maxShrinkPercent) {
            exchange.setProperty(WARNING, String.format(Locale.ROOT,
                    "the dump shrank %.0f%% (%d -> %d bytes) since the previous good backup %s (MAX_SHRINK_PERCENT=%d)",
                    shrunk, previous.rawBytes, dump.bytes(), previous.key, maxShrinkPercent));
        }
    }

    public String json(Exchange exchange) throws java.io.IOException {
        return BackupManifest.of(exchange, compression).toJson();
    }

    public String key(Exchange exchange) {
        return BackupManifest.keyOf(exchange.getProperty("backupKey", String.class));
    }

    public void setCompression(BlockCompression compression) {
        this.compression = compression;
    }

    public void setMaxShrinkPercent(int maxShrinkPercent) {
        this.maxShrinkPercent = maxShrinkPercent;
    }
}
