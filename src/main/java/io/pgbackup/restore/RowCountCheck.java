package io.pgbackup.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;

/**
 * After a backup was loaded (restore, test restore): the rows the server loaded into every table (psql's "COPY n"
 * tags) and, for the test restore, the rows every table holds afterwards ({@code count(*) FROM ONLY}, so a parent
 * table does not count its children's rows) are compared with the counts recorded at dump time. Any difference or
 * missing table fails the load, before a restore is renamed into place.
 */
public class RowCountCheck {

    private static final java.util.regex.Pattern COPY_TAG = java.util.regex.Pattern.compile("COPY (\\d+)");

    /** Exchange property out: "N tables, M rows, all as dumped". */

    /** True when there is something to count: the backup has a manifest (a backup without one checks nothing). */
    public boolean hasManifest(Exchange exchange) {
        return DatabaseRun.of(exchange).manifest() != null;
    }

    /**
     * Body: psql's output of the load. Each "COPY n" tag is the server's count of the rows one COPY loaded, in the
     * dump's order, which is the manifest's: every table must have loaded exactly the rows it had when dumped.
     */
    public String compareLoaded(Exchange exchange) {
        BackupManifest manifest = manifest(exchange);
        List<Long> loaded = new ArrayList<>();
        String output = exchange.getMessage().getBody(String.class);
        for (String line : (output == null ? "" : output).lines().toList()) {
            java.util.regex.Matcher tag = COPY_TAG.matcher(line.strip());
            if (tag.matches()) {
                loaded.add(Long.parseLong(tag.group(1)));
            }
        }
        List<Map.Entry<String, Long>> expected = expected(exchange, manifest);
        List<String> differences = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < expected.size(); i++) {
            long want = expected.get(i).getValue();
            rows += want;
            if (i >= loaded.size()) {
                differences.add(expected.get(i).getKey() + " was not loaded");
            } else if (loaded.get(i) != want) {
                differences.add(expected.get(i).getKey() + " loaded " + loaded.get(i) + " rows, the dump had " + want);
            }
        }
        if (loaded.size() > expected.size()) {
            differences.add((loaded.size() - expected.size()) + " more table(s) loaded than the manifest lists");
        }
        return allAsDumped(exchange, differences, "the load of " + manifest.key + " differs from its manifest: ",
                expected.size(), rows);
    }

    /** A backup without a manifest, loaded: nothing to compare its rows with (restore.yaml). */
    public void noManifest(Exchange exchange) {
        DatabaseRun.of(exchange).setSummary("loaded without checks (the backup has no manifest)");
    }

    /**
     * One SQL query counting the rows of every table the manifest lists: "index|count" lines, in manifest order, and
     * "index|missing" for a name that names no table there. The names are data ({@link NamesAsData}): hex-encoded JSON
     * the server decodes, each resolved with {@code to_regclass} and counted through {@code query_to_xml} with the
     * server's own quoting of the table ({@code %s} of a regclass). No manifest text is ever part of the SQL, so a
     * name holding a line break, a quote or {@code \!} is only a name that matches no table.
     */
    public String countQuery(Exchange exchange) {
        List<Map.Entry<String, Long>> tables = expected(exchange, manifest(exchange));
        if (tables.isEmpty()) {
            return "SELECT -1, 0;\n";
        }
        List<String> names = tables.stream().map(Map.Entry::getKey).toList();
        return "SELECT t.i - 1, CASE WHEN t.c IS NULL THEN 'missing' ELSE (pg_catalog.xpath('/row/c/text()',"
                + " pg_catalog.query_to_xml(pg_catalog.format('SELECT count(*) AS c FROM ONLY %s', t.c), false, true,"
                + " '')))[1]::text END\nFROM (SELECT e.i, " + NamesAsData.table("e.name") + " AS c\n"
                + "  FROM pg_catalog.json_array_elements_text(" + NamesAsData.json(names)
                + ") WITH ORDINALITY AS e(name, i)) t\nORDER BY t.i;\n";
    }

    /** Body: psql's output of {@link #countQuery}. Throws naming every table whose count differs. */
    public String compareCounts(Exchange exchange) {
        BackupManifest manifest = manifest(exchange);
        List<Map.Entry<String, Long>> expected = expected(exchange, manifest);
        long[] actual = new long[expected.size()];
        boolean[] seen = new boolean[expected.size()];
        boolean[] missing = new boolean[expected.size()];
        String output = exchange.getMessage().getBody(String.class);
        for (String line : (output == null ? "" : output).lines().toList()) {
            String[] fields = line.strip().split("\\|");
            if (fields.length == 2 && fields[0].matches("\\d+")) {
                int index = Integer.parseInt(fields[0]);
                if (index < actual.length && fields[1].strip().matches("\\d+")) {
                    actual[index] = Long.parseLong(fields[1].strip());
                    seen[index] = true;
                } else if (index < actual.length && fields[1].strip().equals("missing")) {
                    missing[index] = true;
                }
            }
        }
        List<String> differences = new ArrayList<>();
        long rows = 0;
        for (int i = 0; i < expected.size(); i++) {
            long want = expected.get(i).getValue();
            rows += want;
            if (missing[i]) {
                differences.add(expected.get(i).getKey() + " is missing (no such table)");
            } else if (!seen[i]) {
                differences.add(expected.get(i).getKey() + " not counted");
            } else if (actual[i] != want) {
                differences.add(expected.get(i).getKey() + " has " + actual[i] + " rows, the dump had " + want);
            }
        }
        return allAsDumped(exchange, differences, "the restored copy of " + manifest.key + " differs: ",
                expected.size(), rows);
    }

    /**
     * The run's summary ("N tables, M rows, all as dumped"), kept as the run's summary, when there is no
     * difference; else throws {@code mismatch} followed by every difference.
     */
    private static String allAsDumped(Exchange exchange, List<String> differences, String mismatch, int tables,
            long rows) {
        if (!differences.isEmpty()) {
            throw new RowCountMismatchException(mismatch + String.join("; ", differences));
        }
        String summary = tables + " tables, " + rows + " rows, all as dumped";
        DatabaseRun.of(exchange).setSummary(summary);
        return summary;
    }

    /**
     * The tables to compare, in manifest (dump) order: all of them, or those a selective restore loaded
     * ({@link ArchiveRestore#restoredTables}).
     */
    private static List<Map.Entry<String, Long>> expected(Exchange exchange, BackupManifest manifest) {
        List<String> restored = ArchiveRestore.restoredTables(exchange);
        List<Map.Entry<String, Long>> expected = new ArrayList<>();
        for (Map.Entry<String, Long> table : manifest.tables.entrySet()) {
            if (restored == null || restored.contains(table.getKey())) {
                expected.add(table);
            }
        }
        return expected;
    }

    private static BackupManifest manifest(Exchange exchange) {
        BackupManifest manifest = DatabaseRun.of(exchange).manifest();
        if (manifest == null) {
            throw new IllegalStateException("no manifest was read for " + DatabaseRun.of(exchange).key());
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
