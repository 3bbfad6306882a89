package io.pgbackup.restore;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.pgbackup.dump.ArchiveToc;
import io.pgbackup.manifest.BackupManifest;

/**
 * The SQL around pg_restore's for {@code restore --into-existing}, run inside psql's one transaction: before it, the
 * schemas it needs and the refusal of tables that exist (unless --clean); after it, the rows of every restored table
 * compared with the manifest. The names (from the archive's table of contents) are data: hex-encoded JSON the server
 * decodes and quotes ({@link NamesAsData}).
 */
final class IntoExistingScript {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ArchiveSelection selection;
    /** A dollar-quote tag that no name in the selection contains. */
    private final String tag;

    IntoExistingScript(ArchiveSelection selection) {
        this.selection = selection;
        this.tag = dollarTag(selection);
    }

    /** Before pg_restore's SQL: CREATE SCHEMA IF NOT EXISTS of the schemas; unless {@code clean}, no table may exist. */
    String before(boolean clean) {
        StringBuilder before = new StringBuilder();
        if (!selection.schemas().isEmpty()) {
            before.append("DO ").append(tag).append(" DECLARE s text; BEGIN\nFOR s IN SELECT pg_catalog.json_array_elements_text(")
                    .append(NamesAsData.json(selection.schemas())).append(") LOOP\n")
                    .append("EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', s);\nEND LOOP;\nEND ")
                    .append(tag).append(";\n");
        }
        if (!clean && !selection.relations().isEmpty()) {
            List<Map<String, String>> relations = new ArrayList<>();
            for (ArchiveToc.Entry relation : selection.relations()) {
                relations.add(Map.of("schema", relation.namespace() == null ? "" : relation.namespace(), "name", relation.tag(),
                        "shown", relation.qualifiedName()));
            }
            before.append(forEachRecord("", relations, "schema text, name text, shown text",
                    "IF r.schema <> '' AND r.name <> '' THEN\n"
                    + "IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', r.schema, r.name)) IS NOT NULL THEN"
                    + " RAISE EXCEPTION 'pg-backup: % already exists in this database: add --clean to replace it',"
                    + " r.shown; END IF;\nEND IF;\n"));
        }
        return before.toString();
    }

    /** After pg_restore's SQL: the rows of every restored table the manifest counts compared with its count. */
    String after(BackupManifest manifest) {
        StringBuilder after = new StringBuilder("\n");
        if (manifest != null && !selection.tables().isEmpty()) {
            after.append(forEachRecord(" c regclass; n bigint;", expected(manifest), "name text, rows bigint",
                    "c := " + NamesAsData.table("r.name") + ";\n"
                    + "IF c IS NULL THEN RAISE EXCEPTION 'pg-backup: % is missing after the restore', r.name; END IF;\n"
                    + "EXECUTE pg_catalog.format('SELECT count(*) FROM ONLY %s', c) INTO n;\n"
                    + "IF n <> r.rows THEN RAISE EXCEPTION 'pg-backup: % has % rows after the restore, the backup"
                    + " has %', r.name, n, r.rows; END IF;\n"));
        }
        return after.toString();
    }

    /**
     * A DO block running {@code body} for each record {@code r} of {@code rows} (JSON the server decodes: data, never
     * SQL text) with {@code columns}; {@code declare}: its variables besides {@code r}.
     */
    private String forEachRecord(String declare, Object rows, String columns, String body) {
        return "DO " + tag + " DECLARE r record;" + declare + " BEGIN\nFOR r IN SELECT * FROM pg_catalog.json_to_recordset("
                + NamesAsData.json(rows) + ") AS t(" + columns + ") LOOP\n" + body + "END LOOP;\nEND " + tag + ";\n";
    }

    /** The rows {@link #after} compares: of the restored tables the manifest counts (0 without a manifest). */
    long rowsCompared(BackupManifest manifest) {
        return expected(manifest).stream().mapToLong(table -> (Long) table.get("rows")).sum();
    }

    /** The restored tables the manifest counts, each with its count. */
    private List<Map<String, Object>> expected(BackupManifest manifest) {
        List<Map<String, Object>> expected = new ArrayList<>();
        if (manifest != null) {
            for (String table : selection.tables()) {
                Long count = manifest.tables.get(table);
                if (count != null) {
                    expected.add(Map.of("name", table, "rows", count));
                }
            }
        }
        return expected;
    }

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
}
