package io.pgbackup.restore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.dump.ArchiveToc;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.storage.BackupKey;

import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restoring a custom-format backup ({@code .dump.gz}): pg_restore turns the archive into SQL as it streams in, and
 * psql loads that SQL exactly as it loads a plain backup (one transaction, the same checks before it may commit).
 * <ul>
 * <li>{@code --table} / {@code --schema}: only those objects ({@link ArchiveSelection}), through
 * {@code pg_restore --use-list}, into a fresh database renamed into place, or with {@code --into-existing} into the
 * target itself, in one transaction that first refuses tables that exist (unless {@code --clean}) and last compares
 * the rows of every restored table with the manifest: a difference rolls everything back.</li>
 * <li>{@code --jobs N}: {@code pg_restore --jobs} needs a file it can seek in, so the archive is written to
 * BACKUP_WORK_DIR (refused before the download when the folder lacks the space; removed afterwards), checked whole
 * against its manifest before pg_restore starts, then the rows of every table counted.</li>
 * </ul>
 * Plain SQL cannot be filtered safely, so these options refuse a plain backup.
 */
public class ArchiveRestore {

    /** Exchange property: the tables named with --table (List of String). */
    public static final String TABLES = "restoreTables";
    /** Exchange property: the schemas named with --schema (List of String). */
    public static final String SCHEMAS = "restoreSchemas";
    /** Exchange property: --into-existing. */
    public static final String INTO_EXISTING = "restoreIntoExisting";
    /** Exchange property: --clean. */
    public static final String CLEAN = "restoreClean";
    /** Exchange property: --jobs (0: one pg_restore reading the stream). */
    public static final String JOBS = "restoreJobs";
    private static final String SELECTION = "archiveSelection";
    /** Room left free beside the archive: a restore must not fill the disk other programs write to. */
    private static final long SPARE_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");

    /**
     * The tables a selective restore loads, as the manifest names them (for RowCountCheck); null when the restore
     * loads the whole backup.
     */
    public static List<String> restoredTables(Exchange exchange) {
        ArchiveSelection selection = exchange.getProperty(SELECTION, ArchiveSelection.class);
        return selection == null ? null : selection.tables();
    }

    /** Whether the chosen backup is a custom-format archive. */
    public boolean isArchive(Exchange exchange) {
        return BackupKey.isArchive(DatabaseRun.of(exchange).key());
    }

    public boolean selective(Exchange exchange) {
        return !list(exchange, TABLES).isEmpty() || !list(exchange, SCHEMAS).isEmpty();
    }

    public boolean parallel(Exchange exchange) {
        return jobs(exchange) > 0;
    }

    public boolean intoExisting(Exchange exchange) {
        return exchange.getProperty(INTO_EXISTING, false, Boolean.class);
    }

    /**
     * After the backup was chosen, before anything is created: --table, --schema and --jobs need a custom-format
     * backup, and --jobs the room for the archive in BACKUP_WORK_DIR.
     */
    public void check(Exchange exchange) throws IOException {
        RestoreWorkFiles.removeLeftovers(exchange);
        String key = DatabaseRun.of(exchange).key();
        List<String> options = new ArrayList<>();
        if (!list(exchange, TABLES).isEmpty()) {
            options.add("--table");
        }
        if (!list(exchange, SCHEMAS).isEmpty()) {
            options.add("--schema");
        }
        if (parallel(exchange)) {
            options.add("--jobs");
        }
        if (!isArchive(exchange) && !options.isEmpty()) {
            throw new RestoreTarget.RestoreRefusedException("restore " + String.join(" and ", options) + ": " + key
                    + " is a plain SQL backup, which can only be restored whole (plain SQL cannot be filtered safely);"
                    + " backups taken with BACKUP_FORMAT=custom (.dump.gz) can");
        }
        if (parallel(exchange)) {
            BackupManifest manifest = DatabaseRun.of(exchange).manifest();
            if (manifest == null || manifest.rawBytes <= 0) {
                throw new RestoreTarget.RestoreRefusedException("restore --jobs: " + key + " has no manifest, so the"
                        + " room its archive needs in BACKUP_WORK_DIR is unknown; restore it without --jobs");
            }
            Path folder = RestoreWorkFiles.workDir(exchange);
            long free = Files.getFileStore(folder).getUsableSpace();
            long needed = manifest.rawBytes + SPARE_BYTES;
            if (free < needed) {
                throw new RestoreTarget.RestoreRefusedException("restore --jobs: BACKUP_WORK_DIR " + folder + " has "
                        + RestoreWorkFiles.gib(free) + " free, the archive of " + key + " needs " + RestoreWorkFiles.gib(manifest.rawBytes)
                        + " (and 64 MiB to spare): free space there, point BACKUP_WORK_DIR elsewhere, or restore"
                        + " without --jobs (it streams, using no disk)");
            }
        }
    }

    /**
     * Body: the checked backup stream of an archive. Sets pg_restore's arguments (header CamelExecCommandArgs: it
     * writes the SQL to stdout; with --table / --schema, the entries chosen from the archive's table of contents,
     * which is read here from the stream's head and passed on with the rest) and returns the stream for pg_restore's
     * stdin.
     */
    public InputStream script(Exchange exchange) throws Exception {
        InputStream archive = exchange.getMessage().getMandatoryBody(InputStream.class);
        List<String> args = new ArrayList<>(List.of("--file=-"));
        ownership(exchange, args);
        if (selective(exchange)) {
            RecordingInputStream head = new RecordingInputStream(archive);
            ArchiveToc toc;
            try {
                toc = ArchiveToc.read(new java.io.BufferedInputStream(head, 64 * 1024));
            } catch (IOException e) {
                throw new IOException("reading the archive " + DatabaseRun.of(exchange).key() + ": " + e.getMessage(), e);
            }
            ArchiveSelection selection = select(exchange, toc);
            args.add("--use-list=" + RestoreWorkFiles.writeList(exchange, selection));
            if (exchange.getProperty(CLEAN, false, Boolean.class)) {
                args.add("--clean");
                args.add("--if-exists");
            }
            archive = new SequenceInputStream(new ByteArrayInputStream(head.recorded()), archive);
        }
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        return archive;
    }

    /**
     * Body: pg_restore's SQL (a stream). For --into-existing: before it, the check that no table to restore exists
     * (unless --clean) and the schemas it needs; after it, the rows of every restored table compared with the
     * manifest. Both run inside psql's one transaction, so a refusal or a difference leaves the database as it was.
     */
    public InputStream guarded(Exchange exchange) throws Exception {
        InputStream sql = exchange.getMessage().getMandatoryBody(InputStream.class);
        ArchiveSelection selection = exchange.getProperty(SELECTION, ArchiveSelection.class);
        IntoExistingScript script = new IntoExistingScript(selection);
        String before = script.before(exchange.getProperty(CLEAN, false, Boolean.class));
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        String after = script.after(manifest);
        DatabaseRun.of(exchange).setSummary(manifest == null
                ? "loaded without checks (the backup has no manifest)"
                : selection.tables().size() + " tables, " + script.rowsCompared(manifest)
                        + " rows, all as dumped (checked before the commit)");
        InputStream whole = new SequenceInputStream(new SequenceInputStream(
                new ByteArrayInputStream(before.getBytes(StandardCharsets.UTF_8)), sql),
                new ByteArrayInputStream(after.getBytes(StandardCharsets.UTF_8)));
        // pg_restore's own restrict lines give way to a key of the restore's: psql runs no backslash command
        return MetaCommandGuard.guard(exchange, whole, false, false);
    }

    /**
     * --jobs: body the checked backup stream. Writes the archive to BACKUP_WORK_DIR (read whole, so checked against
     * its manifest, before pg_restore starts) and sets pg_restore's arguments. The body becomes empty (stdin).
     */
    public String writeArchive(Exchange exchange) throws Exception {
        String key = DatabaseRun.of(exchange).key();
        Path file = RestoreWorkFiles.create(exchange, ".dump");
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        LOG.info("restore --jobs {}: writing the archive of {} ({}) to {}; it is removed when the restore ends",
                jobs(exchange), key, manifest == null ? "size unknown" : RestoreWorkFiles.gib(manifest.rawBytes), file);
        try (InputStream archive = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            Files.copy(archive, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> args = new ArrayList<>(List.of("--jobs=" + jobs(exchange), "--no-password", "--exit-on-error"));
        ownership(exchange, args);
        if (selective(exchange)) {
            ArchiveToc toc;
            try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
                toc = ArchiveToc.read(in);
            }
            args.add("--use-list=" + RestoreWorkFiles.writeList(exchange, select(exchange, toc)));
        }
        args.add(file.toString());
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        return "";
    }

    /** Removes what this restore wrote to BACKUP_WORK_DIR (the archive for --jobs, pg_restore's list). */
    public void cleanUp(Exchange exchange) {
        RestoreWorkFiles.cleanUp(exchange);
    }

    private ArchiveSelection select(Exchange exchange, ArchiveToc toc) {
        ArchiveSelection selection = ArchiveSelection.of(toc, list(exchange, TABLES), list(exchange, SCHEMAS),
                intoExisting(exchange));
        for (String note : selection.leftOut()) {
            LOG.warn("restore: left out {}", note);
        }
        exchange.setProperty(SELECTION, selection);
        LOG.info("restore of {}: {} entries of the archive, {} table(s) with data", DatabaseRun.of(exchange).key(),
                selection.ids().size(), selection.tables().size());
        return selection;
    }

    private static void ownership(Exchange exchange, List<String> args) {
        if (exchange.getProperty(OwnershipFilter.NO_OWNER, false, Boolean.class)) {
            args.add("--no-owner");
        }
        if (exchange.getProperty(OwnershipFilter.NO_PRIVILEGES, false, Boolean.class)) {
            args.add("--no-privileges");
        }
    }

    /** Removes the files of a restore's own names in {@code folder} last modified before {@code notAfter}. */
    static List<Path> removeLeftovers(Path folder, java.time.Instant notAfter) throws IOException {
        return RestoreWorkFiles.removeLeftovers(folder, notAfter);
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Exchange exchange, String property) {
        List<String> values = exchange.getProperty(property, List.class);
        return values == null ? List.of() : values;
    }

    private static int jobs(Exchange exchange) {
        return exchange.getProperty(JOBS, 0, Integer.class);
    }

    @Override
    public String toString() {
        return "ArchiveRestore";
    }
}
