package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The multipart path as NCP Object Storage gets it: HTTPS with SigV4 (the SDK then sends UploadPart with an unsigned
 * payload and its Content-MD5), CreateMultipartUpload, UploadPart, CompleteMultipartUpload and the
 * ListMultipartUploads of the incomplete-upload clean-up, against S3Proxy over HTTPS; a backup of four 5 MiB parts
 * restores row for row. A store whose certificate is not trusted is refused: the run fails, nothing is stored.
 */
@Timeout(600)
class HttpsMultipartIT {

    static final String BUCKET = "https-multipart";
    static final String PASSWORD = "https multipart pw";
    /** ~30 MB of md5 text: ~18 MB gzip-compressed, four parts of 5 MiB. */
    static final String DB = "https_bulk";
    static final String CONTENTS = "SELECT count(*), md5(string_agg(payload, ',' ORDER BY id)) FROM blobs";

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "https_user", PASSWORD).overHttps()
            .withDatabase(DB, "CREATE TABLE blobs (id int PRIMARY KEY, payload text);"
                    + " INSERT INTO blobs SELECT g, md5(random()::text) || md5(g::text) || md5(random()::text)"
                    + " FROM generate_series(1, 300000) g;");

    static PostgresServer postgres;
    static S3Server s3;

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(300).set("UPLOAD_PART_SIZE", "5242880");
    }

    @Test
    void aBackupOfFourPartsOverHttpsIsStoredWholeAndRestoresRowForRow() throws Exception {
        PgBackupProcess.Result backup = pgBackup("tls/").run("backup");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        List<S3Object> stored = s3.objects(BUCKET).stream().filter(o -> o.key().startsWith("tls/")).toList();
        assertThat(stored).as("one object, no continuation").singleElement()
                .satisfies(o -> assertThat(o.eTag()).as("a multipart ETag: MD5 of the parts' MD5s, with their count")
                        .matches("\"?[0-9a-f]{32}-([4-9]|\\d{2,})\"?"));
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();

        String target = "https_restored";
        try {
            PgBackupProcess.Result restore = pgBackup("tls/").run("restore", "--target-db", target);

            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(postgres.psql(target, CONTENTS)).isEqualTo(postgres.psql(DB, CONTENTS));
        } finally {
            postgres.dropDatabase(target);
        }
    }

    /** No trust store given: the self-signed certificate is refused at the first call; one line says so. */
    @Test
    void aStoreWithAnUntrustedCertificateIsRefusedAndNothingIsStored() throws Exception {
        PgBackupProcess.Result run = pgBackup("untrusted/").without("JAVA_TOOL_OPTIONS").run("backup");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        List<String> failures = run.stderr().lines().filter(l -> l.contains("backup FAILED")).toList();
        assertThat(failures).as(run.toString()).singleElement().asString()
                .containsIgnoringCase("certificat").contains("stage=");
        assertThat(s3.keys(BUCKET)).noneMatch(k -> k.startsWith("untrusted/"));
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }
}
