package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.FaultyHttpProxy;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;
import io.pgbackup.support.WebhookStandIn;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the store does after the upload began, through a proxy that lies or fails on purpose ({@link FaultyHttpProxy}
 * in front of S3Proxy): a HEAD after the upload that tells another size or ETag than was sent, and an S3 error on a
 * later part of a multipart upload (not the first). Each fails the backup naming the stage, alerts, and leaves no
 * manifest, no other object and no incomplete upload; the parts that were sent are counted at the proxy.
 * Real PostgreSQL 15, S3Proxy (SigV4), the packaged jar.
 */
@Timeout(600)
class UploadFaultsIT {

    static final String BUCKET = "upload-faults";
    static final String PASSWORD = "upload faults pw";
    static final String SMALL_DB = "faults_small";
    /** ~30 MB of md5 text: ~17 MB gzip-compressed, four parts of 5 MiB. */
    static final String BULK_DB = "faults_bulk";
    static final String FIVE_MIB = "5242880";
    /** An UploadPart request line, its part number in group 1. */
    static final Pattern UPLOAD_PART = Pattern.compile("^PUT [^ ]*[?&]partNumber=(\\d+)[& ].*");

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "faults_user", PASSWORD).withSlack()
            .withDatabase(SMALL_DB, "CREATE TABLE items (id int PRIMARY KEY, name text);"
                    + " INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 2000) g;")
            .withDatabase(BULK_DB, "CREATE TABLE blobs (id int PRIMARY KEY, payload text);"
                    + " INSERT INTO blobs SELECT g, md5(random()::text) || md5(g::text) || md5(random()::text)"
                    + " FROM generate_series(1, 300000) g;");

    static PostgresServer postgres;
    static S3Server s3;
    static WebhookStandIn slack;

    Set<String> keysBefore;
    int slackBefore;

    @BeforeEach
    void snapshot() {
        keysBefore = new HashSet<>(s3.keys(BUCKET));
        slackBefore = slack.texts().size();
    }

    PgBackupProcess pgBackup(FaultyHttpProxy proxy, String database) {
        return SERVERS.pgBackup(database, "").timeoutSeconds(240).set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint());
    }

    static FaultyHttpProxy proxy() throws Exception {
        return new FaultyHttpProxy(URI.create(s3.endpoint()).getPort());
    }

    /** A HEAD of a backup object (not its manifest) answered 200: the check after the upload. */
    static boolean isHeadOfStoredBackup(String request, String head) {
        return request.startsWith("HEAD /" + BUCKET + "/") && !request.contains(".manifest.json")
                && head.startsWith("HTTP/1.1 200");
    }

    // ---- the HEAD check after the upload --------------------------------------------------------------------

    /** One PUT (a small dump); the store's HEAD then says one byte more than was sent. */
    @Test
    void aHeadShowingAnotherSizeThanWasSentFailsTheBackupAndNoManifestIsWritten() throws Exception {
        try (FaultyHttpProxy proxy = proxy().rewriteResponseHeads((request, head) -> isHeadOfStoredBackup(request, head)
                ? head.replaceFirst("(?im)^(Content-Length: *)(\\d+)", "$1" + "999999") : head)) {
            PgBackupProcess.Result run = pgBackup(proxy, SMALL_DB).run("backup");

            assertUploadFailedAndNothingCountsAsABackup(run, SMALL_DB, "999999 bytes");
        }
    }

    /** A multipart upload (four 5 MiB parts); the store's HEAD then gives an ETag of MD5 form that is not the parts'. */
    @Test
    void aHeadShowingAnotherEtagThanThePartsMadeFailsTheMultipartBackup() throws Exception {
        String otherEtag = "0123456789abcdef0123456789abcdef-4";
        try (FaultyHttpProxy proxy = proxy().rewriteResponseHeads((request, head) -> isHeadOfStoredBackup(request, head)
                ? head.replaceFirst("(?im)^ETag: *\"?[^\"\\r]*\"?", "ETag: \"" + otherEtag + "\"") : head)) {
            PgBackupProcess.Result run = pgBackup(proxy, BULK_DB).set("UPLOAD_PART_SIZE", FIVE_MIB).run("backup");

            assertUploadFailedAndNothingCountsAsABackup(run, BULK_DB, "has ETag " + otherEtag);
            assertThat(partsSent(proxy)).as("a multipart upload").hasSizeGreaterThanOrEqualTo(3);
        }
    }

    /**
     * The check fails, the backup fails: no manifest for it; the object the HEAD described is left (it may be another
     * writer's: pg-backup cannot tell it wrote it), and nothing else is added.
     */
    private void assertUploadFailedAndNothingCountsAsABackup(PgBackupProcess.Result run, String database, String cause) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        List<String> failures = run.stderr().lines().filter(l -> l.contains("backup FAILED")).toList();
        assertThat(failures).as(run.toString()).singleElement().asString()
                .contains("stage=upload database=" + database).contains(cause);
        assertThat(newSlackTexts()).singleElement().asString().contains("FAILED").contains("stage:    upload")
                .contains(cause);
        Set<String> added = new HashSet<>(s3.keys(BUCKET));
        added.removeAll(keysBefore);
        assertThat(added).as("no manifest counts the object as a good backup").noneMatch(k -> k.contains(".manifest.json"))
                .allMatch(k -> k.contains(database + "_"));
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    // ---- an S3 error on a later part ------------------------------------------------------------------------

    /** Part 1 (and 2) stored, then the store answers 500 InternalError to part 2 (or 3), every time it is tried. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void anS3ErrorOnALaterPartAbortsTheUploadAndLeavesNothing(int failingPart) throws Exception {
        try (FaultyHttpProxy proxy = proxy().failRequests(line -> partNumber(line) == failingPart, 500, "InternalError")) {
            PgBackupProcess.Result run = pgBackup(proxy, BULK_DB).set("UPLOAD_PART_SIZE", FIVE_MIB).run("backup");

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(proxy.failed()).as("part " + failingPart + " was refused").isPositive();
            assertThat(partsSent(proxy)).as("the parts before it reached the store")
                    .contains(failingPart - 1).allMatch(n -> n <= failingPart);
            assertThat(run.stderr().lines().filter(l -> l.contains("backup FAILED")).toList()).as(run.toString())
                    .singleElement().asString().contains("stage=upload database=" + BULK_DB).contains("Status Code: 500");
            assertThat(newSlackTexts()).singleElement().asString().contains("FAILED").contains("stage:    upload");
            assertThat(proxy.requestLines()).as("the upload was aborted").anyMatch(l -> l.startsWith("DELETE ")
                    && l.contains("uploadId="));
            assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("incomplete uploads").isEmpty();
            assertThat(new HashSet<>(s3.keys(BUCKET))).as("the bucket as it was").isEqualTo(keysBefore);
        }
    }

    /**
     * The premise of FailuresIT's 40 MB tests, made sure of: pg_dump fails after 30 MB of output, once two parts of
     * the upload are stored (seen at the store; the wrapper waits for the test's go-ahead before it exits 1). The
     * upload is aborted and nothing is kept. Without the wait, pg_dump's exit (read with the end of its output) is
     * seen before any part is sent; one compression thread keeps the read-ahead to two 4 MiB blocks on any machine.
     */
    @Test
    void aDumpFailingAfterPartsWereStoredAbortsThemAndKeepsNothing() throws Exception {
        java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("stopping-pg_dump");
        java.nio.file.Path goAhead = folder.resolve("go-ahead");
        java.nio.file.Path wrapper = folder.resolve("pg_dump");
        java.nio.file.Files.writeString(wrapper, "#!/bin/sh\n'" + PostgresServer.BIN.resolve("pg_dump")
                + "' \"$@\" | head -c 30000000\ni=0\nwhile [ ! -e '" + goAhead + "' ] && [ $i -lt 1200 ]; do sleep 0.1;"
                + " i=$((i+1)); done\nexit 1\n");
        wrapper.toFile().setExecutable(true);
        try (FaultyHttpProxy proxy = proxy()) {
            PgBackupProcess.Running running = pgBackup(proxy, BULK_DB).set("UPLOAD_PART_SIZE", FIVE_MIB)
                    .set("BACKUP_COMPRESSION_THREADS", "1").set("PG_DUMP_PATH", wrapper.toString()).launch("backup");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            while (storedParts() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            int storedBeforeTheFailure = storedParts();
            java.nio.file.Files.createFile(goAhead);
            PgBackupProcess.Result run = running.waitFor(120);

            assertThat(storedBeforeTheFailure).as("parts stored before pg_dump failed: " + run).isGreaterThanOrEqualTo(2);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.stderr()).contains("backup FAILED stage=dump database=" + BULK_DB).contains("exited with code 1");
            assertThat(proxy.requestLines()).as("the upload was aborted").anyMatch(l -> l.startsWith("DELETE ")
                    && l.contains("uploadId="));
            assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
            assertThat(new HashSet<>(s3.keys(BUCKET))).isEqualTo(keysBefore);
        } finally {
            PostgresServer.deleteTree(folder);
        }
    }

    /** The parts the store holds of the open multipart uploads in the bucket. */
    static int storedParts() {
        return s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
                .mapToInt(u -> s3.client().listParts(b -> b.bucket(BUCKET).key(u.key()).uploadId(u.uploadId())).parts().size())
                .sum();
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    static int partNumber(String requestLine) {
        var m = UPLOAD_PART.matcher(requestLine);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The part numbers of the UploadPart requests the proxy received, in order (a refused one and its retries too). */
    static List<Integer> partsSent(FaultyHttpProxy proxy) {
        return proxy.requestLines().stream().map(UploadFaultsIT::partNumber).filter(n -> n > 0).toList();
    }

    private List<String> newSlackTexts() {
        return List.copyOf(slack.texts().subList(slackBefore, slack.texts().size()));
    }
}
