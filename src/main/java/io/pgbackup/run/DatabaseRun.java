package io.pgbackup.run;

import java.util.Date;

import org.apache.camel.Exchange;

/**
 * The state of one database's run (a backup, a test restore or a restore), as the routes keep it on the exchange:
 * the names below are the exchange properties the YAML reads and writes ({@code ${exchangeProperty.backupKey}}), and
 * Java reads and writes them only through this class, with their types. Defined once: a route and a helper cannot
 * disagree on a name or a type.
 */
public record DatabaseRun(Exchange exchange) {

    /** The database ({@code @globals} for the roles backup). */
    public static final String DATABASE = "dbName";
    /** The object key of the backup made, restored or verified. */
    public static final String KEY = "backupKey";
    /** When the run of this database started (java.util.Date, from {@code ${date:now}}). */
    public static final String STARTED_AT = "startedAt";
    /** Bytes of the plain dump. */
    public static final String RAW_BYTES = "rawBytes";
    /** Bytes of the stored object. */
    public static final String COMPRESSED_BYTES = "compressedBytes";
    /** Why a stored backup does not count as good (it shrank, it is empty); none for a good one. */
    public static final String WARNING = "backupWarning";
    /** One line on what a restore or test restore loaded and checked. */
    public static final String SUMMARY = "verifySummary";
    /** The database a restore creates or loads into. */
    public static final String TARGET = "targetDb";
    /** The stage a failure outside every stage route is reported in (report/FailedStage names the others). */
    public static final String STAGE = "stage";
    /** The first line of why the run failed, as the report and the alerts tell it (report/RunReport writes it). */
    public static final String FAILURE_CAUSE = "failureCause";
    /** True when prune only lists what it would delete (retention/Pruning, storage/IncompleteUploads). */
    public static final String PRUNE_DRY_RUN = "pruneDryRun";

    public static DatabaseRun of(Exchange exchange) {
        return new DatabaseRun(exchange);
    }

    public String database() {
        return exchange.getProperty(DATABASE, String.class);
    }

    public String databaseOr(String fallback) {
        return exchange.getProperty(DATABASE, fallback, String.class);
    }

    public String key() {
        return exchange.getProperty(KEY, String.class);
    }

    public String keyOr(String fallback) {
        return exchange.getProperty(KEY, fallback, String.class);
    }

    public void setKey(String key) {
        exchange.setProperty(KEY, key);
    }

    public Date startedAt() {
        return exchange.getProperty(STARTED_AT, Date.class);
    }

    public Long rawBytes() {
        return exchange.getProperty(RAW_BYTES, Long.class);
    }

    public Long compressedBytes() {
        return exchange.getProperty(COMPRESSED_BYTES, Long.class);
    }

    public String warning() {
        return exchange.getProperty(WARNING, String.class);
    }

    public void setWarning(String warning) {
        exchange.setProperty(WARNING, warning);
    }

    public Object summary() {
        return exchange.getProperty(SUMMARY);
    }
}
