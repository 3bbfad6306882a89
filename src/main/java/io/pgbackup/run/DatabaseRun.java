package io.pgbackup.run;

import java.util.Date;

import io.pgbackup.manifest.BackupManifest;

import org.apache.camel.Exchange;

/**
 * One database's run (a backup, a test restore or a restore), typed, in ONE exchange property ({@value #PROPERTY}):
 * the database, the object key, the stream's format (decided once), when it started, the dump's facts
 * ({@link DumpFacts}), the dump and stored sizes, what the upload stored ({@link StoredBackup}), whether the key was
 * taken, the warning, the manifests (the backup's, the previous good one's), the summary of what a restore loaded,
 * the target (and the fresh database loaded first, whether it was renamed into place, the name an existing target is
 * renamed to, the restore's note). The routes read it as {@code ${exchangeProperty.run.key}} (a
 * field read as data, never pasted into an expression); Java reads and sets it through {@link #of}.
 * <p>
 * A new one is made where one database's run starts (databases.yaml for each database of a backup or a test
 * restore, the restore command for a restore): the exchanges of two databases never share one. A copy of an exchange
 * that goes on on its own (the upload to the copy store) gets its own copy ({@link #copyInto}). The properties of the
 * whole run (stage, cause of a failure, the databases asked for) are named in {@link RunProperties}.
 */
public final class DatabaseRun implements Cloneable {

    /** The exchange property that holds the run. */
    public static final String PROPERTY = "run";
    /** The restore command's target database (--target-db or RESTORE_TARGET_DB), made the run's by {@link #startRestore}. */
    public static final String TARGET_ASKED = "restoreTarget";

    private final String database;
    private final Date startedAt;
    private String key;
    private StreamFormat format;
    private DumpFacts dump;
    private Long rawBytes;
    private Long compressedBytes;
    private String warning;
    private String summary;
    private String target;
    private boolean keyTaken;
    private String fresh;
    private String aside;
    private String note;
    private boolean countAfterLoad;
    private boolean renamed;
    private BackupManifest manifest;
    private BackupManifest previous;
    private String readBackNote;
    private StoredBackup stored = new StoredBackup();

    public DatabaseRun(String database) {
        this(database, new Date());
    }

    public DatabaseRun(String database, Date startedAt) {
        this.database = database;
        this.startedAt = startedAt;
    }

    /** For the routes (databases.yaml): a new run of the database in the body, started now, as the exchange's run. */
    public static DatabaseRun start(Exchange exchange, String database) {
        DatabaseRun run = new DatabaseRun(database);
        exchange.setProperty(PROPERTY, run);
        return run;
    }

    /**
     * For the routes (restore.yaml): the run of a restore, of the database asked for
     * ({@link RunProperties#DATABASES_ASKED}: one name) into the target asked for ({@value #TARGET_ASKED}).
     */
    public static void startRestore(Exchange exchange) {
        start(exchange, exchange.getProperty(RunProperties.DATABASES_ASKED, String.class))
                .setTarget(exchange.getProperty(TARGET_ASKED, String.class));
    }

    /**
     * The exchange's run. An exchange of the whole run (before its databases are split, or a command that is not a
     * database's run) gets an empty one: no database, no key.
     */
    public static DatabaseRun of(Exchange exchange) {
        DatabaseRun run = exchange.getProperty(PROPERTY, DatabaseRun.class);
        if (run == null) {
            run = new DatabaseRun(null, null);
            exchange.setProperty(PROPERTY, run);
        }
        return run;
    }

    /**
     * The database a report names: the run's, else (a failure of the whole run, before any database started) the
     * databases asked for ({@link RunProperties#DATABASES_ASKED}), else {@code fallback}.
     */
    public static String databaseOr(Exchange exchange, String fallback) {
        DatabaseRun run = exchange.getProperty(PROPERTY, DatabaseRun.class);
        if (run != null && run.database != null) {
            return run.database;
        }
        return exchange.getProperty(RunProperties.DATABASES_ASKED, fallback, String.class);
    }

    /** {@code copy} (a copy of {@code exchange}) gets a run of its own, as this one is now: setting one leaves the other. */
    public void copyInto(Exchange copy) {
        try {
            DatabaseRun run = (DatabaseRun) clone();
            run.stored = stored.copy();
            copy.setProperty(PROPERTY, run);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database ({@code @globals} for the roles backup). */
    public String database() {
        return database;
    }

    public String databaseOr(String fallback) {
        return database == null ? fallback : database;
    }

    /** The object key of the backup made, restored or verified. */
    public String key() {
        return key;
    }

    public String keyOr(String fallback) {
        return key == null ? fallback : key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    /** Whether the key was stored already, by a scheduled fire in the same second: this fire stores nothing. */
    public boolean keyTaken() {
        return keyTaken;
    }

    /** For the routes (pre-dump-checks.yaml): the key is taken by a fire in the same second ({@link #keyTaken}). */
    public static void markKeyTaken(Exchange exchange) {
        of(exchange).keyTaken = true;
    }

    /** What the upload stored: objects, ETag, hashes, parts. */
    public StoredBackup stored() {
        return stored;
    }

    /** How the backup's stream is written (dump format, compression, encryption): decided once, with the key. */
    public StreamFormat format() {
        return format;
    }

    public void setFormat(StreamFormat format) {
        this.format = format;
    }

    /** When the run of this database started. */
    public Date startedAt() {
        return startedAt;
    }

    /** What the dump told about itself as it streamed past (null before the dump). */
    public DumpFacts dump() {
        return dump;
    }

    public void setDump(DumpFacts dump) {
        this.dump = dump;
    }

    /** Bytes of the plain dump. */
    public Long rawBytes() {
        return rawBytes;
    }

    public void setRawBytes(Long rawBytes) {
        this.rawBytes = rawBytes;
    }

    /** Bytes of the stored object (all its objects). */
    public Long compressedBytes() {
        return compressedBytes;
    }

    public void setCompressedBytes(Long compressedBytes) {
        this.compressedBytes = compressedBytes;
    }

    /** Why a stored backup does not count as good (it shrank, it is empty); null for a good one. */
    public String warning() {
        return warning;
    }

    public void setWarning(String warning) {
        this.warning = warning;
    }

    /** One line on what a restore or test restore loaded and checked. */
    public String summary() {
        return summary;
    }

    public void setSummary(String summary) {
        this.summary = summary;
    }

    /** The database a restore creates or loads into. */
    public String target() {
        return target;
    }

    public String targetOr(String fallback) {
        return target == null ? fallback : target;
    }

    public void setTarget(String target) {
        this.target = target;
    }

    /** The fresh database a restore or test restore loads into (renamed into place, or dropped). */
    public String fresh() {
        return fresh;
    }

    public void setFresh(String fresh) {
        this.fresh = fresh;
    }

    /** The name an existing target is renamed to (restore --replace, when it exists); null: none. */
    public String aside() {
        return aside;
    }

    public void setAside(String aside) {
        this.aside = aside;
    }

    /** What the restore's output adds under its result line ("" or null: nothing). */
    public String noteOr(String fallback) {
        return note == null ? fallback : note;
    }

    public void setNote(String note) {
        this.note = note;
    }

    /** Whether the load also counts what every table holds once loaded (the test restore). */
    public boolean countAfterLoad() {
        return countAfterLoad;
    }

    /** For the routes (verify.yaml): the test restore counts every table once loaded ({@link #countAfterLoad}). */
    public static void markCountAfterLoad(Exchange exchange) {
        of(exchange).countAfterLoad = true;
    }

    /** Whether the fresh database was renamed into place (a restore): from then on it is the target, never dropped. */
    public boolean renamed() {
        return renamed;
    }

    /** For the routes (restore.yaml): the fresh database is renamed into place ({@link #renamed}). */
    public static void markRenamed(Exchange exchange) {
        of(exchange).renamed = true;
    }

    /** The manifest of the backup chosen to restore or verify (null: a backup named by key that has none). */
    public BackupManifest manifest() {
        return manifest;
    }

    public void setManifest(BackupManifest manifest) {
        this.manifest = manifest;
    }

    /** The manifest of the database's newest good backup before this one (the shrink check's yardstick), or null. */
    public BackupManifest previous() {
        return previous;
    }

    public void setPrevious(BackupManifest previous) {
        this.previous = previous;
    }

    /** What the read-back log line adds after "matches" ("" for nothing). */
    public String readBackNote() {
        return readBackNote == null ? "" : readBackNote;
    }

    public void setReadBackNote(String readBackNote) {
        this.readBackNote = readBackNote;
    }

    @Override
    public String toString() {
        return "DatabaseRun[" + database + ", " + key + "]";
    }
}
