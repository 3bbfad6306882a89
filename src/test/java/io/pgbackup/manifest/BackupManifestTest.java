package io.pgbackup.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;


import org.junit.jupiter.api.Test;

/** The manifest's {@code objects}: written for a backup of several objects only, read back as written. */
class BackupManifestTest {

    static final String KEY = "2026/11/28/shop_20261128020000.sql.gz";

    @Test
    void aBackupOfOneObjectHasNoObjectsFieldAndOfSeveralListsThemInOrder() throws Exception {
        BackupManifest one = new BackupManifest();
        one.key = KEY;
        assertThat(one.toJson()).doesNotContain("\"objects\"");
        assertThat(BackupManifest.parse(one.toJson().getBytes(StandardCharsets.UTF_8)).objects).isNull();

        BackupManifest several = new BackupManifest();
        several.key = KEY;
        several.objects = List.of(new StoredObject(KEY, 20971520, 2, "0123456789abcdef0123456789abcdef-2"),
                new StoredObject(KEY + ".part2", 1234, 1, "fedcba9876543210fedcba9876543210-1"));
        String json = several.toJson();

        assertThat(json).contains("\"objects\"").contains("\"key\" : \"" + KEY + ".part2\"").contains("\"bytes\" : 1234");
        assertThat(BackupManifest.parse(json.getBytes(StandardCharsets.UTF_8)).objects).isEqualTo(several.objects);
    }
}
