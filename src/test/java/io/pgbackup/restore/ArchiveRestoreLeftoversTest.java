package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore --jobs killed outright leaves its archive (and pg_restore's list) in BACKUP_WORK_DIR; the next restore
 * removes such files, and only those: pg-backup's own names, older than a running restore can use them.
 */
@Timeout(30)
class ArchiveRestoreLeftoversTest {

    @TempDir
    Path folder;

    @Test
    void onlyOldFilesOfPgBackupsOwnNamesAreRemoved() throws Exception {
        Instant now = Instant.now();
        // what Files.createTempFile(folder, "pgbackup-restore-", ".dump") makes, as writeArchive does
        Path killedArchive = Files.createTempFile(folder, "pgbackup-restore-", ".dump");
        Path killedList = Files.createTempFile(folder, "pgbackup-restore-", ".list");
        Path runningArchive = Files.createTempFile(folder, "pgbackup-restore-", ".dump");
        Path someoneElses = Files.writeString(folder.resolve("pgbackup-restore-notes.dump"), "x");
        Path otherTool = Files.writeString(folder.resolve("restore-123.dump"), "x");
        Path folderNamedLikeOne = Files.createDirectory(folder.resolve("pgbackup-restore-42.dump"));
        for (Path old : new Path[] {killedArchive, killedList, someoneElses, otherTool, folderNamedLikeOne}) {
            Files.setLastModifiedTime(old, FileTime.from(now.minus(Duration.ofHours(7))));
        }

        assertThat(ArchiveRestore.removeLeftovers(folder, now.minus(Duration.ofHours(6))))
                .containsExactlyInAnyOrder(killedArchive, killedList);

        assertThat(killedArchive).doesNotExist();
        assertThat(killedList).doesNotExist();
        assertThat(runningArchive).as("a restore running now").exists();
        assertThat(someoneElses).exists();
        assertThat(otherTool).exists();
        assertThat(folderNamedLikeOne).isDirectory();
    }
}
