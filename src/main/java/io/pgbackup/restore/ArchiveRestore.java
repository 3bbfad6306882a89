package io.pgbackup.restore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgbackup.DatabaseRun;
import io.pgbackup.dump.ArchiveToc;
import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.settings.SettingsDeclaration;
import io.pgbackup.storage.BackupCatalog;
import io.pgbackup.storage.BackupKey;
import io.pgbackup.streams.BulkInputStream;

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
    /** Exchange property: files this restore wrote to BACKUP_WORK_DIR, removed at its end. */
    private static final String FILES = "archiveRestoreFiles";
    private static final String SELECTION = "archiveSelection";
    /** Room left free beside the archive: a restore must not fill the disk other programs write to. */
    private static final long SPARE_BYTES = 64L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup.restore");
    private static final SecureRandom RANDOM = new SecureRandom();

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
        removeLeftovers(exchange);
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
            BackupManifest manifest = exchange.getProperty(BackupCatalog.MANIFEST, BackupManifest.class);
            if (manifest == null || manifest.rawBytes <= 0) {
                throw new RestoreTarget.RestoreRefusedException("restore --jobs: " + key + " has no manifest, so the"
                        + " room its archive needs in BACKUP_WORK_DIR is unknown; restore it without --jobs");
            }
            Path folder = workDir(exchange);
            long free = Files.getFileStore(folder).getUsableSpace();
            long needed = manifest.rawBytes + SPARE_BYTES;
            if (free < needed) {
                throw new RestoreTarget.RestoreRefusedException("restore --jobs: BACKUP_WORK_DIR " + folder + " has "
                        + gib(free) + " free, the archive of " + key + " needs " + gib(manifest.rawBytes)
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
            Recording head = new Recording(archive);
            ArchiveToc toc;
            try {
                toc = ArchiveToc.read(new java.io.BufferedInputStream(head, 64 * 1024));
            } catch (IOException e) {
                throw new IOException("reading the archive " + DatabaseRun.of(exchange).key() + ": " + e.getMessage(), e);
            }
            ArchiveSelection selection = select(exchange, toc);
            args.add("--use-list=" + writeList(exchange, selection));
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
        String tag = dollarTag(selection);
        // the names (from the archive's table of contents) are data: hex-encoded JSON the server decodes and quotes
        StringBuilder before = new StringBuilder();
        if (!selection.schemas().isEmpty()) {
            before.append("DO ").append(tag).append(" DECLARE s text; BEGIN\nFOR s IN SELECT pg_catalog.json_array_elements_text(")
                    .append(NamesAsData.json(selection.schemas())).append(") LOOP\n")
                    .append("EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', s);\nEND LOOP;\nEND ")
                    .append(tag).append(";\n");
        }
        if (!exchange.getProperty(CLEAN, false, Boolean.class) && !selection.relations().isEmpty()) {
            List<Map<String, String>> relations = new ArrayList<>();
            for (ArchiveToc.Entry relation : selection.relations()) {
                relations.add(Map.of("schema", relation.namespace() == null ? "" : relation.namespace(), "name", relation.tag(),
                        "shown", relation.qualifiedName()));
            }
            before.append("DO ").append(tag).append(" DECLARE r record; BEGIN\nFOR r IN SELECT * FROM")
                    .append(" pg_catalog.json_to_recordset(").append(NamesAsData.json(relations))
                    .append(") AS t(schema text, name text, shown text) LOOP\n")
                    .append("IF r.schema <> '' AND r.name <> '' THEN\n")
                    .append("IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', r.schema, r.name)) IS NOT NULL THEN")
                    .append(" RAISE EXCEPTION 'pg-backup: % already exists in this database: add --clean to replace it',")
                    .append(" r.shown; END IF;\nEND IF;\nEND LOOP;\nEND ").append(tag).append(";\n");
        }
        StringBuilder after = new StringBuilder("\n");
        BackupManifest manifest = exchange.getProperty(BackupCatalog.MANIFEST, BackupManifest.class);
        long rows = 0;
        if (manifest != null && !selection.tables().isEmpty()) {
            List<Map<String, Object>> expected = new ArrayList<>();
            for (String table : selection.tables()) {
                Long count = manifest.tables.get(table);
                if (count != null) {
                    rows += count;
                    expected.add(Map.of("name", table, "rows", count));
                }
            }
            after.append("DO ").append(tag).append(" DECLARE r record; c regclass; n bigint; BEGIN\nFOR r IN SELECT *")
                    .append(" FROM pg_catalog.json_to_recordset(").append(NamesAsData.json(expected))
                    .append(") AS t(name text, rows bigint) LOOP\n")
                    .append("c := ").append(NamesAsData.table("r.name")).append(";\n")
                    .append("IF c IS NULL THEN RAISE EXCEPTION 'pg-backup: % is missing after the restore', r.name; END IF;\n")
                    .append("EXECUTE pg_catalog.format('SELECT count(*) FROM ONLY %s', c) INTO n;\n")
                    .append("IF n <> r.rows THEN RAISE EXCEPTION 'pg-backup: % has % rows after the restore, the backup")
                    .append(" has %', r.name, n, r.rows; END IF;\nEND LOOP;\nEND ").append(tag).append(";\n");
        }
        exchange.setProperty(RowCountCheck.SUMMARY, manifest == null
                ? "loaded without checks (the backup has no manifest)"
                : selection.tables().size() + " tables, " + rows + " rows, all as dumped (checked before the commit)");
        InputStream whole = new SequenceInputStream(new SequenceInputStream(
                new ByteArrayInputStream(before.toString().getBytes(StandardCharsets.UTF_8)), sql),
                new ByteArrayInputStream(after.toString().getBytes(StandardCharsets.UTF_8)));
        // pg_restore's own restrict lines give way to a key of the restore's: psql runs no backslash command
        return MetaCommandGuard.guard(exchange, whole, false, false);
    }

    /**
     * --jobs: body the checked backup stream. Writes the archive to BACKUP_WORK_DIR (read whole, so checked against
     * its manifest, before pg_restore starts) and sets pg_restore's arguments. The body becomes empty (stdin).
     */
    public String writeArchive(Exchange exchange) throws Exception {
        String key = DatabaseRun.of(exchange).key();
        Path file = Files.createTempFile(workDir(exchange), "pgbackup-restore-", ".dump");
        files(exchange).add(file);
        BackupManifest manifest = exchange.getProperty(BackupCatalog.MANIFEST, BackupManifest.class);
        LOG.info("restore --jobs {}: writing the archive of {} ({}) to {}; it is removed when the restore ends",
                jobs(exchange), key, manifest == null ? "size unknown" : gib(manifest.rawBytes), file);
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
            args.add("--use-list=" + writeList(exchange, select(exchange, toc)));
        }
        args.add(file.toString());
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, args);
        return "";
    }

    /** Removes what this restore wrote to BACKUP_WORK_DIR (the archive for --jobs, pg_restore's list). */
    public void cleanUp(Exchange exchange) {
        for (Path file : files(exchange)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("could not remove {}: {}; remove it by hand", file, e.getMessage());
            }
        }
        files(exchange).clear();
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

    private String writeList(Exchange exchange, ArchiveSelection selection) throws IOException {
        Path list = Files.createTempFile(workDir(exchange), "pgbackup-restore-", ".list");
        files(exchange).add(list);
        Files.writeString(list, selection.useList(), StandardCharsets.UTF_8);
        return list.toString();
    }

    private static void ownership(Exchange exchange, List<String> args) {
        if (exchange.getProperty(OwnershipFilter.NO_OWNER, false, Boolean.class)) {
            args.add("--no-owner");
        }
        if (exchange.getProperty(OwnershipFilter.NO_PRIVILEGES, false, Boolean.class)) {
            args.add("--no-privileges");
        }
    }

    /** A dollar-quote tag that no name in the selection contains. */
    private static String dollarTag(ArchiveSelection selection) {
        String names = String.join(" ", selection.tables()) + " " + String.join(" ", selection.schemas()) + " "
                + selection.relations().stream().map(ArchiveToc.Entry::qualifiedName).collect(Collectors.joining(" "));
        while (true) {
            byte[] random = new byte[6];
            RANDOM.nextBytes(random);
            String tag = "$pgbackup_" + HexFormat.of().formatHex(random) + "$";
            if (!names.contains(tag)) {
                return tag;
            }
        }
    }

    /** The names of what a restore writes to BACKUP_WORK_DIR (Files.createTempFile: prefix, a number, suffix). */
    static final java.util.regex.Pattern OWN_FILE = java.util.regex.Pattern.compile("pgbackup-restore-\\d+\\.(dump|list)");
    /** After pg_restore (killed at RESTORE_TIMEOUT_MS at the latest): the row counts and the rename. */
    private static final long LEFTOVER_MARGIN_MILLIS = 30L * 60 * 1000;

    /**
     * At the start of a restore: what a restore killed outright (SIGKILL, an OOM kill) left in BACKUP_WORK_DIR is
     * removed, each file logged. Only files of pg-backup's own names, untouched for longer than any running restore
     * can use them (RESTORE_TIMEOUT_MS, plus 30 minutes): another restore running at the same time, here or on
     * another instance sharing the folder, writes its archive continuously and reads it for at most that long.
     */
    void removeLeftovers(Exchange exchange) {
        try {
            long timeout = Long.parseLong(SettingsDeclaration.value(exchange.getContext(), "restore.timeout.ms"));
            removeLeftovers(workDir(exchange), java.time.Instant.now().minusMillis(timeout + LEFTOVER_MARGIN_MILLIS));
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not look for files left in BACKUP_WORK_DIR by a restore that was killed: {}", e.getMessage());
        }
    }

    /** Removes the files of {@link #OWN_FILE}'s names in {@code folder} last modified before {@code notAfter}. */
    static List<Path> removeLeftovers(Path folder, java.time.Instant notAfter) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                if (!OWN_FILE.matcher(file.getFileName().toString()).matches()
                        || !Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(file,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
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

    private static Path workDir(Exchange exchange) throws IOException {
        // never empty: CommandMain.derivedSettings puts the system's temporary folder there when it is not set
        Path folder = Path.of(SettingsDeclaration.value(exchange.getContext(), "backup.work.dir"));
        Files.createDirectories(folder);
        return folder;
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

    @SuppressWarnings("unchecked")
    private static List<String> list(Exchange exchange, String property) {
        List<String> values = exchange.getProperty(property, List.class);
        return values == null ? List.of() : values;
    }

    private static int jobs(Exchange exchange) {
        return exchange.getProperty(JOBS, 0, Integer.class);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** The head of a stream as it is read, to be passed on again (the archive's table of contents: metadata only). */
    private static final class Recording extends FilterInputStream {
        private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            return BulkInputStream.readOne(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                recorded.write(buffer, offset, n);
            }
            return n;
        }

        byte[] recorded() {
            return recorded.toByteArray();
        }

        @Override
        public void close() {
            // the stream goes on to pg_restore
        }
    }

    @Override
    public String toString() {
        return "ArchiveRestore";
    }
}
