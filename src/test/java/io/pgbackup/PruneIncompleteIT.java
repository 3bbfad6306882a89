package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * {@code prune} and what a killed or half-written backup leaves, as the README's Retention section states it: the
 * incomplete multipart upload of a backup key whose backup began longer ago than DUMP_TIMEOUT_MS allows is an
 * {@code INCOMPLETE} line (a dry run aborts nothing; prune aborts it), while a live upload and an upload of a key that
 * is not a backup's stay; a backup without its manifest ({@code unchecked}) never counts toward the rules and goes only
 * when it is older than the newest good backup and no rule keeps it. S3Proxy (SigV4), the packaged jar, no database.
 */
@Timeout(300)
class PruneIncompleteIT {

    static final String BUCKET = "prune-incomplete";
    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.storeOnly(BUCKET);

    PgBackupProcess prune(String prefix) {
        return SERVERS.store(prefix).timeoutSeconds(120).set("BACKUP_TIMEZONE", "Asia/Seoul")
                // a backup may run an hour: an upload of a backup begun over two hours ago is abandoned
                .set("DUMP_TIMEOUT_MS", "3600000");
    }

    static String key(String prefix, String database, LocalDateTime time) {
        return prefix + time.format(DateTimeFormatter.ofPattern("yyyy/MM/dd/")) + database + "_"
                + time.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss")) + ".sql.gz";
    }

    /** Starts a multipart upload of {@code key} with one part stored; returns its upload id. */
    static String openUpload(String key) {
        String id = SERVERS.s3().client().createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        SERVERS.s3().client().uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(1),
                RequestBody.fromBytes(new byte[1024]));
        return id;
    }

    List<String> openUploads(String prefix) {
        return SERVERS.s3().client().listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix)).uploads().stream()
                .map(MultipartUpload::key).sorted().toList();
    }

    @Test
    void aStaleUploadIsAnIncompleteLineADryRunKeepsAndPruneAbortsWhileLiveAndForeignUploadsStay() throws Exception {
        String prefix = "uploads/";
        LocalDateTime now = LocalDateTime.now(SEOUL);
        String stale = key(prefix, "shop", now.minusDays(3));
        String staleContinuation = key(prefix, "shop", now.minusDays(2)) + ".part2";
        String live = key(prefix, "shop", now.minusMinutes(10));
        String foreign = prefix + "other-tool/upload.bin";
        String staleId = openUpload(stale);
        String continuationId = openUpload(staleContinuation);
        openUpload(live);
        openUpload(foreign);

        PgBackupProcess.Result dry = prune(prefix).run("prune", "--dry-run");

        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        List<String> incomplete = dry.stdout().lines().filter(l -> l.startsWith("INCOMPLETE\t")).sorted().toList();
        assertThat(incomplete).as(dry.toString()).hasSize(2);
        assertThat(incomplete).anySatisfy(l -> assertThat(l).startsWith("INCOMPLETE\t" + stale + "\tmultipart upload "
                + staleId + " begun ").endsWith(": would be aborted (dry run)"));
        assertThat(incomplete).anySatisfy(l -> assertThat(l).startsWith("INCOMPLETE\t" + staleContinuation
                + "\tmultipart upload " + continuationId + " begun ").endsWith(": would be aborted (dry run)"));
        assertThat(openUploads(prefix)).as("a dry run aborts nothing").hasSize(4);

        PgBackupProcess.Result run = prune(prefix).run("prune");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().lines().filter(l -> l.startsWith("INCOMPLETE\t")).toList()).as(run.toString())
                .hasSize(2).allMatch(l -> l.endsWith(": aborted"))
                .anyMatch(l -> l.startsWith("INCOMPLETE\t" + stale + "\t"))
                .anyMatch(l -> l.startsWith("INCOMPLETE\t" + staleContinuation + "\t"));
        assertThat(run.stderr()).contains("aborted the incomplete multipart upload of " + BUCKET + "/" + stale);
        assertThat(openUploads(prefix)).as("the live backup's and the other tool's uploads stay")
                .containsExactlyInAnyOrder(live, foreign);
    }

    /**
     * RETENTION_KEEP_LAST=1 over shop's backups, oldest first: good, unchecked (no manifest), good, unchecked. The
     * newest good one is kept, the unchecked one newer than it is kept (the evidence of what happened since), the
     * older good one and the older unchecked one go, each with the reason "kept by no rule".
     */
    @Test
    void aBackupWithoutItsManifestNeverCountsAndGoesOnlyWhenOlderThanTheNewestGoodOne() throws Exception {
        String prefix = "unchecked/";
        LocalDateTime now = LocalDateTime.now(SEOUL).withNano(0);
        String oldGood = key(prefix, "shop", now.minusDays(4));
        String oldUnchecked = key(prefix, "shop", now.minusDays(3));
        String newestGood = key(prefix, "shop", now.minusDays(2));
        String newUnchecked = key(prefix, "shop", now.minusDays(1));
        for (String key : List.of(oldGood, oldUnchecked, newestGood, newUnchecked)) {
            SERVERS.s3().put(BUCKET, key, "dummy".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        for (String good : List.of(oldGood, newestGood)) {
            // a manifest without a warning: the backup counts as good
            SERVERS.s3().put(BUCKET, good + ".manifest.json", ("{\"format\":1,\"key\":\"" + good + "\",\"objectBytes\":5}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        PgBackupProcess.Result dry = prune(prefix).set("RETENTION_KEEP_LAST", "1").run("prune", "--dry-run");

        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.stdout()).as(dry.toString()).contains("KEEP\t" + newestGood + "\t", "KEEP\t" + newUnchecked + "\t",
                "DELETE\t" + oldGood + "\t", "DELETE\t" + oldUnchecked + "\t");
        assertThat(SERVERS.s3().keys(BUCKET)).contains(oldGood, oldUnchecked);

        PgBackupProcess.Result run = prune(prefix).set("RETENTION_KEEP_LAST", "1").run("prune");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(SERVERS.s3().keys(BUCKET).stream().filter(k -> k.startsWith(prefix)).toList())
                .containsExactlyInAnyOrder(newestGood, newestGood + ".manifest.json", newUnchecked);
    }
}
