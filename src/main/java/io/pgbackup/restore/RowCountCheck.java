package io.pgbackup.verify;

import java.io.InputStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.pgbackup.manifest.BackupManifest;

import org.apache.camel.Exchange;

/**
 * The test restore (verify.yaml): the newest backup of a database is restored into a scratch database, then the
 * rows of every table are counted and compared with the counts its manifest recorded at dump time. Any difference,
 * a missing table, a corrupted object or a failed restore fails the verification.
 */
public class VerifyRestore {

    public static final String MANIFEST = "verifyManifest";
    public static final String SCRATCH = "scratchDb";

    /** Body: the manifest object's stream. */
    public void readManifest(Exchange exchange) throws Exception {
        BackupManifest manifest = BackupManifest.read(exchange.getMessage().getMandatoryBody(InputStream.class));
        exchange.setProperty(MANIFEST, manifest);
    }

    /** pgbackup_verify_{database, letters and digits only}_{yyyyMMddHHmmss}: at most 63 bytes, never a real name. */
    public String scratchName(Exchange exchange) {
        String database = exchange.getProperty("dbName", "db", String.class).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        if (database.length() > 24) {
            database = database.substring(0, 24);
        }
        return "pgbackup_verify_" + database + "_" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(ZonedDateTime.now());
    }

    /** One SQL query counting the rows of every table the manifest lists: "index|count" lines, in manifest order. */
    public String countQuery(Exchange exchange) {
        BackupManifest manifest = manifest(exchange);
        if (manifest.tables.isEmpty()) {
            return "SELECT -1, 0;\n";
        }
        StringBuilder sql = new StringBuilder();
        int i = 0;
        for (String table : manifest.tables.keySet()) {
            sql.append(i == 0 ? "" : "\nUNION ALL ").append("SELECT ").append(i++).append(", count(*) FROM ONLY ").append(table);
        }
        return sql.append(";\n").toString();
    }

    /** Body: psql's output of {@link #countQuery}. Throws naming every table whose count differs. */
    public String compareCounts(Exchange exchange) {
        BackupManifest manifest = manifest(exchange);
        List<Map.Entry<String, Long>> expected = new ArrayList<>(manifest.tables.entrySet());
        long[] actual = new long[expected.size()];
        boolean[] seen = new boolean[expected.size()];
        String output = exchange.getMessage().getBody(String.class);
        for (String line : (output == null ? "" : output).lines().toList()) {
            String[] fields = line.strip().split("\\|");
            if (fields.length == 2 && fields[0].matches("\\d+")) {
                int index = Integer.parseInt(fields[0]);
                if (index < actual.length) {
                    actual[index] = Long.parseLong(fields[1].strip());
                    seen[index] = true;
                }
            }
        }
        List<String> differences = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < expected.size(); i++) {
            long want = expected.get(i).getValue();
            rows += want;
            if (!seen[i]) {
                differences.add(expected.get(i).getKey() + " not counted");
            } else if (actual[i] != want) {
                differences.add(expected.get(i).getKey() + " has " + actual[i] + " rows, the dump had " + want);
            }
        }
        if (!differences.isEmpty()) {
            throw new RowCountMismatchException("the restored copy of " + manifest.key + " differs: "
                    + String.join("; ", differences));
        }
        String summary = expected.size() + " tables, " + rows + " rows, all as dumped";
        exchange.setProperty("verifySummary", summary);
        return summary;
    }

    private static BackupManifest manifest(Exchange exchange) {
        BackupManifest manifest = exchange.getProperty(MANIFEST, BackupManifest.class);
        if (manifest == null) {
            throw new IllegalStateException("no manifest was read for " + exchange.getProperty("backupKey"));
        }
        return manifest;
    }

    /** The restored copy does not hold the rows the dump held. */
    public static class RowCountMismatchException extends IllegalStateException {
        public RowCountMismatchException(String message) {
            super(message);
        }
    }
}
