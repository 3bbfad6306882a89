package io.pgbackup.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a custom-format restore writes to BACKUP_WORK_DIR (the archive for --jobs, pg_restore's list): each file kept
 * with the exchange and removed at the restore's end, and what a restore killed outright left there removed at the
 * start of the next one.
 */
final class RestoreWorkFiles {

    /** Exchange property: files this restore wrote to BACKUP_WORK_DIR, removed at its end. */
    private static final String FILES = "archiveRestoreFiles";
    /** The names of what a restore writes to BACKUP_WORK_DIR (Files.createTempFile: prefix, a number, suffix). */
    static final Pattern OWN_FILE = Pattern.compile("pgbackup-restore-\\d+\\.(dump|list)");
    /** After pg_restore (killed at RESTORE_TIMEOUT_MS at the latest): the row counts and the rename. */
    private static final long LEFTOVER_MARGIN_MILLIS = 30L * 60 * 1000;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");

    private RestoreWorkFiles() {
    }

    /** A new file of pg-backup's own name ({@link #OWN_FILE}) in BACKUP_WORK_DIR, removed by {@link #cleanUp}. */
    static Path create(Exchange exchange, String suffix) throws IOException {
        Path file = Files.createTempFile(workDir(exchange), "pgbackup-restore-", suffix);
        files(exchange).add(file);
        return file;
    }

    /** pg_restore's --use-list file of the selection. */
    static String writeList(Exchange exchange, ArchiveSelection selection) throws IOException {
        Path list = create(exchange, ".list");
        Files.writeString(list, selection.useList(), StandardCharsets.UTF_8);
        return list.toString();
    }

    /** BACKUP_WORK_DIR, made when missing. */
    static Path workDir(Exchange exchange) throws IOException {
        // never empty: CommandMain.derivedSettings puts the system's temporary folder there when it is not set
        Path folder = Path.of(SettingsDeclaration.value(exchange.getContext(), "backup.work.dir"));
        Files.createDirectories(folder);
        return folder;
    }

    /** Removes what this restore wrote to BACKUP_WORK_DIR. */
    static void cleanUp(Exchange exchange) {
        for (Path file : files(exchange)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("could not remove {}: {}; remove it by hand", file, e.getMessage());
            }
        }
        files(exchange).clear();
    }

    /**
     * At the start of a restore: what a restore killed outright (SIGKILL, an OOM kill) left in BACKUP_WORK_DIR is
     * removed, each file logged. Only files of pg-backup's own names, untouched for longer than any running restore
     * can use them (RESTORE_TIMEOUT_MS, plus 30 minutes): another restore running at the same time, here or on
     * another instance sharing the folder, writes its archive continuously and reads it for at most that long.
     */
    static void removeLeftovers(Exchange exchange) {
        try {
            long timeout = Long.parseLong(SettingsDeclaration.value(exchange.getContext(), "restore.timeout.ms"));
            removeLeftovers(workDir(exchange), Instant.now().minusMillis(timeout + LEFTOVER_MARGIN_MILLIS));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not look for files left in BACKUP_WORK_DIR by a restore that was killed: {}", e.getMessage());
        }
    }

    /** Removes the files of {@link #OWN_FILE}'s names in {@code folder} last modified before {@code notAfter}. */
    static List<Path> removeLeftovers(Path folder, Instant notAfter) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                if (!OWN_FILE.matcher(file.getFileName().toString()).matches()
                        || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                FileTime modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
                if (modified.toInstant().isBefore(notAfter)) {
                    long size = Files.size(file);
                    Files.deleteIfExists(file);
                    removed.add(file);
                    LOG.warn("removed {} ({}, last written {}): left in BACKUP_WORK_DIR by a restore that was killed",
                            file, gib(size), modified);
                }
            }
        }
        return removed;
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    @SuppressWarnings("unchecked")
    private static List<Path> files(Exchange exchange) {
        List<Path> files = exchange.getProperty(FILES, List.class);
        if (files == null) {
            files = new ArrayList<>();
            exchange.setProperty(FILES, files);
        }
        return files;
    }
}
