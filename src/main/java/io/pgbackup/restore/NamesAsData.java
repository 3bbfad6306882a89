package io.pgbackup.restore;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Names read from a backup (manifest, archive table of contents) or given on the command line reach SQL only as data:
 * a JSON document, hex-encoded into the query text (so the text holds hex digits only: nothing a name holds can end a
 * string, start a statement or reach psql as a backslash command), decoded by the server, which quotes each name
 * itself ({@code format('%I')}, {@code ::regclass}) where one must become part of a statement.
 */
final class NamesAsData {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A name as {@code to_regclass} reads it without raising an error (PostgreSQL 15 raises "invalid name syntax"
     * instead of answering NULL): one or two parts, each quoted (with {@code ""} for a quote) or a run of characters
     * other than quotes, dots and white space. Anything else cannot name a table pg_dump wrote.
     */
    static final String QUALIFIED_NAME = "'^((\"([^\"]|\"\")+\"|[^\".[:space:]]+)[.])?(\"([^\"]|\"\")+\"|[^\".[:space:]]+)$'";

    private NamesAsData() {
    }

    /** {@code value} as JSON, hex-encoded: hex digits only. A text holding a NUL (which no PostgreSQL text can) becomes empty. */
    static String hex(Object value) {
        try {
            String json = JSON.writeValueAsString(withoutNul(value));
            return HexFormat.of().formatHex(json.getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write names as JSON: " + e.getMessage(), e);
        }
    }

    private static Object withoutNul(Object value) {
        if (value instanceof String text) {
            return text.indexOf(0) >= 0 ? "" : text; // names nothing: no PostgreSQL name holds a NUL
        }
        if (value instanceof java.util.List<?> list) {
            return list.stream().map(NamesAsData::withoutNul).toList();
        }
        if (value instanceof java.util.Map<?, ?> map) {
            java.util.Map<Object, Object> clean = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> clean.put(k, withoutNul(v)));
            return clean;
        }
        return value;
    }

    /** The SQL expression of type json that the server decodes from {@link #hex}. */
    static String json(Object value) {
        return "convert_from(decode('" + hex(value) + "', 'hex'), 'UTF8')::json";
    }

    /**
     * The SQL expression (type regclass) of the table the text expression {@code name} names, NULL when there is none,
     * it is no table (a view, an index...), or the text is not a name at all.
     */
    static String table(String name) {
        return "(SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p', 'f', 'm')"
                + " AND c.oid = CASE WHEN " + name + " ~ " + QUALIFIED_NAME + " THEN pg_catalog.to_regclass(" + name
                + ") END)";
    }
}
