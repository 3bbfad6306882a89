package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A setting's range lives in its declaration (application.properties' {@code #@ int MIN..MAX}) and is checked at start
 * for every command, before any bean is made: the beans that use BACKUP_COMPRESSION_LEVEL, BACKUP_COMPRESSION_THREADS
 * and RETENTION_* take the value as it is. These prove the start-up check still refuses what the beans no longer
 * check (one line naming the setting, exit 2). That a zstd level above gzip's 9 reaches the zstd bean is
 * ZstdLevelRoutesTest.
 */
@Timeout(120)
class SettingRangesAtStartTest {

    /** Runs {@code command} in this JVM with these settings over the route tests' own; its exit code and stderr. */
    private static Map.Entry<Integer, String> run(String command, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("db.password", "range-test-password", "db.name", "shop",
                "bucket.name", "range-test", "object.storage.endpoint", "http://127.0.0.1:9", "retry.max", "0",
                "backup.schedule.enabled", "false"));
        all.putAll(settings);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int code = new PgBackup(Map.of(), quiet, new PrintStream(err, true, StandardCharsets.UTF_8), all)
                .run(new String[] {command});
        return Map.entry(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aGzipLevelAboveNineIsRefusedAtStartNamingTheSetting() {
        Map.Entry<Integer, String> result = run("list", Map.of("backup.compression", "gzip",
                "backup.compression.level", "11"));

        assertThat(result.getKey()).isEqualTo(2);
        assertThat(result.getValue()).contains("invalid setting BACKUP_COMPRESSION_LEVEL").contains("1..9");
    }

    @Test
    void aZstdLevelAboveNineteenIsRefusedAtStartNamingTheSetting() {
        Map.Entry<Integer, String> result = run("list", Map.of("backup.compression", "zstd",
                "backup.compression.level", "20"));

        assertThat(result.getKey()).isEqualTo(2);
        assertThat(result.getValue()).contains("invalid setting BACKUP_COMPRESSION_LEVEL");
    }

    @Test
    void compressionThreadsAboveSixtyFourAreRefusedAtStartNamingTheSetting() {
        Map.Entry<Integer, String> result = run("list", Map.of("backup.compression.threads", "65"));

        assertThat(result.getKey()).isEqualTo(2);
        assertThat(result.getValue()).contains("invalid setting BACKUP_COMPRESSION_THREADS");
    }

    @Test
    void aNegativeRetentionRuleIsRefusedAtStartNamingTheSetting() {
        Map.Entry<Integer, String> result = run("prune", Map.of("retention.keep.last", "-1"));

        assertThat(result.getKey()).isEqualTo(2);
        assertThat(result.getValue()).contains("invalid setting RETENTION_KEEP_LAST");
    }

    @Test
    void partSizeMaxPartsAndChunkSizeOutsideTheirRangesAreRefusedAtStartNamingTheSetting() {
        // StreamingUpload, ObjectSequence and ChunkHashes take these as they are: only the declaration checks them
        Map<String, String> outside = Map.of("upload.part.size", "5242879", "upload.max.parts", "0",
                "upload.chunk.size", "1024");
        Map<String, String> named = Map.of("upload.part.size", "UPLOAD_PART_SIZE", "upload.max.parts",
                "UPLOAD_MAX_PARTS", "upload.chunk.size", "CHUNK_SIZE");
        for (Map.Entry<String, String> setting : outside.entrySet()) {
            Map.Entry<Integer, String> result = run("backup", Map.of(setting.getKey(), setting.getValue()));

            assertThat(result.getKey()).as(setting.getKey()).isEqualTo(2);
            assertThat(result.getValue()).contains("invalid setting " + named.get(setting.getKey()));
        }
        assertThat(run("backup", Map.of("upload.max.parts", "10001")).getValue())
                .contains("invalid setting UPLOAD_MAX_PARTS");
    }
}
