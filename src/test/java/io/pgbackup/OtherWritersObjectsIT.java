package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.FaultyHttpProxy;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pg-backup never removes an object another writer put under its prefix: not when a failed backup cleans up behind
 * itself, not in prune of one database. The other writers' objects (another database's backup and manifest in the
 * same day's folder, a file of another tool) keep their bytes. Real PostgreSQL 15, S3Proxy (SigV4), the packaged jar.
 */
@Timeout(300)
class OtherWritersObjectsIT {

    static final String BUCKET = "other-writers";
    static final String PASSWORD = "other writers pw";
    static final String DB = "writer_shop";
    static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "writer_user", PASSWORD)
            .withDatabase(DB, "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100);");

    static PostgresServer postgres;
    static S3Server s3;

    PgBackupProcess pgBackup(String prefix) {
        return SERVERS.pgBackup(DB, prefix).timeoutSeconds(120).set("BACKUP_TIMEZONE", "Asia/Seoul");
    }

    /** Other writers' objects under {@code prefix}, with their bytes: another database's backups, another tool's file. */
    Map<String, String> othersUnder(String prefix, LocalDateTime... times) {
        Map<String, String> others = new LinkedHashMap<>();
        for (LocalDateTime time : times) {
            String key = PruneIncompleteIT.key(prefix, "other_db", time);
            others.put(key, "other database's backup " + time);
            others.put(key + ".manifest.json", "{\"format\":1,\"key\":\"" + key + "\",\"objectBytes\":"
                    + others.get(key).length() + "}");
        }
        others.put(prefix + "notes/readme.txt", "another tool's file");
        others.forEach((key, text) -> s3.put(BUCKET, key, text.getBytes(StandardCharsets.UTF_8)));
        return others;
    }

    void assertUntouched(Map<String, String> others) {
        assertThat(s3.keys(BUCKET)).as("other writers' objects").containsAll(others.keySet());
        others.forEach((key, text) -> assertThat(new String(s3.get(BUCKET, key), StandardCharsets.UTF_8))
                .as(key).isEqualTo(text));
    }

    /** The store refuses the manifest: the backup removes the object it stored, and only that. */
    @Test
    void aFailedBackupsCleanUpRemovesOnlyWhatItWrote() throws Exception {
        String prefix = "failed/";
        Map<String, String> others = othersUnder(prefix, LocalDateTime.now(SEOUL).withNano(0));
        Set<String> before = new HashSet<>(s3.keys(BUCKET));
        try (FaultyHttpProxy proxy = new FaultyHttpProxy(URI.create(s3.endpoint()).getPort())
                .dropRequests(line -> line.startsWith("PUT ") && line.contains(DB) && line.contains(".manifest.json"))) {
            PgBackupProcess.Result run = pgBackup(prefix).set("OBJECT_STORAGE_ENDPOINT", proxy.endpoint()).run("backup");

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.stderr()).contains("backup FAILED stage=manifest database=" + DB)
                    .contains("removed " + BUCKET + "/" + prefix);
            assertThat(proxy.requestLines()).as("the object this run stored was deleted")
                    .anyMatch(l -> l.startsWith("DELETE /" + BUCKET + "/" + prefix) && l.contains(DB + "_"));
        }
        assertThat(new HashSet<>(s3.keys(BUCKET))).isEqualTo(before);
        assertUntouched(others);
    }

    /** prune --database: another database's old backups under the same prefix stay, whatever the rules. */
    @Test
    void pruneOfOneDatabaseLeavesAnotherDatabasesBackupsAndOtherFiles() throws Exception {
        String prefix = "pruned/";
        LocalDateTime now = LocalDateTime.now(SEOUL).withNano(0);
        Map<String, String> others = othersUnder(prefix, now.minusDays(3), now.minusDays(2), now.minusDays(1));
        List<String> ours = List.of(PruneIncompleteIT.key(prefix, DB, now.minusDays(2)),
                PruneIncompleteIT.key(prefix, DB, now.minusDays(1)));
        for (String key : ours) {
            s3.put(BUCKET, key, "dummy".getBytes(StandardCharsets.US_ASCII));
            s3.put(BUCKET, key + ".manifest.json", ("{\"format\":1,\"key\":\"" + key + "\",\"objectBytes\":5}")
                    .getBytes(StandardCharsets.UTF_8));
        }

        PgBackupProcess.Result run = pgBackup(prefix).set("RETENTION_KEEP_LAST", "1").run("prune", "--database", DB);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).as(run.toString()).contains("DELETE\t" + ours.get(0) + "\t");
        assertThat(s3.keys(BUCKET)).doesNotContain(ours.get(0)).contains(ours.get(1));
        assertUntouched(others);
    }
}
