package io.pgbackup.restore;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.pgbackup.dump.ArchiveToc;
import io.pgbackup.dump.ArchiveToc.Entry;

/**
 * Which entries of a custom-format archive a selective restore loads ({@code restore --table}, {@code --schema}): the
 * named relations (tables, views, sequences...) with their data and everything that belongs to them — indexes,
 * constraints, defaults, owned sequences, triggers, rules, policies, comments, privileges — or every object of the
 * named schemas (with the schema itself when the target lacks it). pg_restore's own {@code --table} would leave out
 * indexes and constraints; this list ({@code pg_restore --use-list}) keeps them. A foreign key that references a
 * table not restored is left out of a load into a fresh database (it could not be created there) and said so.
 * <p>
 * Entries are listed in the archive's order: pg_restore reads a piped archive front to back.
 */
public record ArchiveSelection(List<Integer> ids, List<String> tables, List<Entry> relations, List<String> schemas,
        List<String> leftOut) {

    /** Relation kinds: what --table names (as pg_restore's --table does). */
    static final Set<String> RELATIONS = Set.of("TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "FOREIGN TABLE");

    /** What belongs to a relation and is restored with it. */
    private static final Set<String> BELONGING = Set.of("TABLE DATA", "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET",
            "DEFAULT", "CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT", "INDEX", "INDEX ATTACH", "TRIGGER", "RULE",
            "POLICY", "ROW SECURITY", "COMMENT", "ACL", "SECURITY LABEL", "STATISTICS", "MATERIALIZED VIEW DATA",
            "TABLE ATTACH");

    /** Entries whose tag is "TABLE_NAME OBJECT_NAME": the relation they belong to is told by the tag. */
    private static final Set<String> TAGGED_WITH_TABLE = Set.of("CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT",
            "DEFAULT", "TRIGGER", "RULE", "POLICY");

    /** A name given to --table or --schema that the archive does not hold. */
    public static class UnknownNameException extends IllegalArgumentException {
        public UnknownNameException(String message) {
            super(message);
        }
    }

    /**
     * The selection for {@code tables} ("schema.name", or "name" in any schema; SQL-quoted parts allowed) and
     * {@code schemas}.
     *
     * @param intoExisting the target already holds the rest of the database (its schemas, the tables a foreign key
     *                     references)
     * @throws UnknownNameException naming what is not in the archive and what is
     */
    public static ArchiveSelection of(ArchiveToc toc, List<String> tables, List<String> schemas, boolean intoExisting) {
        Map<Integer, Entry> byId = toc.byId();
        Set<Integer> chosen = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        for (String requested : tables) {
            boolean found = false;
            for (Entry entry : toc.entries()) {
                if (RELATIONS.contains(entry.desc()) && names(entry, requested)) {
                    chosen.add(entry.dumpId());
                    found = true;
                }
            }
            if (!found) {
                missing.add("table " + requested);
            }
        }
        Set<String> archiveSchemas = new TreeSet<>();
        for (Entry entry : toc.entries()) {
            if ("SCHEMA".equals(entry.desc())) {
                archiveSchemas.add(entry.tag());
            } else if (entry.namespace() != null && !entry.namespace().isEmpty()) {
                archiveSchemas.add(entry.namespace());
            }
        }
        List<String> createSchemas = new ArrayList<>();
        for (String schema : schemas) {
            String name = unquote(schema.strip());
            if (!archiveSchemas.contains(name)) {
                missing.add("schema " + schema);
                continue;
            }
            for (Entry entry : toc.entries()) {
                if (name.equals(entry.namespace())) {
                    chosen.add(entry.dumpId());
                } else if ("SCHEMA".equals(entry.desc()) && name.equals(entry.tag())) {
                    if (intoExisting) {
                        createSchemas.add(name); // CREATE SCHEMA IF NOT EXISTS, by the caller
                    } else {
                        chosen.add(entry.dumpId());
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new UnknownNameException("restore: the backup has no " + String.join(", no ", missing)
                    + "; its tables: " + sample(relationNames(toc)) + "; its schemas: " + sample(archiveSchemas));
        }
        // what belongs to a chosen entry, until nothing more does (a sequence's OWNED BY and SET follow the sequence)
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Entry entry : toc.entries()) {
                if (!chosen.contains(entry.dumpId()) && BELONGING.contains(entry.desc())) {
                    Entry owner = owner(entry, byId);
                    if (owner != null && chosen.contains(owner.dumpId())) {
                        chosen.add(entry.dumpId());
                        grew = true;
                    }
                }
            }
        }
        // the schemas the chosen objects live in: created in a fresh database (public is there already), and created
        // when missing in an existing one
        Set<String> used = new LinkedHashSet<>();
        for (Entry entry : toc.entries()) {
            if (chosen.contains(entry.dumpId()) && entry.namespace() != null && !entry.namespace().isEmpty()) {
                used.add(entry.namespace());
            }
        }
        for (Entry entry : toc.entries()) {
            if ("SCHEMA".equals(entry.desc()) && used.contains(entry.tag())) {
                if (intoExisting) {
                    if (!createSchemas.contains(entry.tag())) {
                        createSchemas.add(entry.tag());
                    }
                } else {
                    chosen.add(entry.dumpId());
                }
            }
        }
        List<String> leftOut = new ArrayList<>();
        if (!intoExisting) {
            for (Entry entry : toc.entries()) {
                if ("FK CONSTRAINT".equals(entry.desc()) && chosen.contains(entry.dumpId())) {
                    for (int dep : entry.deps()) {
                        Entry referenced = relationOf(byId.get(dep), byId);
                        if (referenced != null && !chosen.contains(referenced.dumpId())) {
                            chosen.remove(entry.dumpId());
                            leftOut.add("foreign key " + entry.namespace() + "." + entry.tag() + " (it references "
                                    + referenced.qualifiedName() + ", which is not restored)");
                            break;
                        }
                    }
                }
            }
        }
        List<Integer> ids = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        List<Entry> relations = new ArrayList<>();
        for (Entry entry : toc.entries()) {
            if (chosen.contains(entry.dumpId())) {
                ids.add(entry.dumpId());
                if ("TABLE DATA".equals(entry.desc()) && entry.copyTable() != null) {
                    loaded.add(entry.copyTable());
                }
                if (RELATIONS.contains(entry.desc())) {
                    relations.add(entry);
                }
            }
        }
        return new ArchiveSelection(List.copyOf(ids), List.copyOf(loaded), List.copyOf(relations),
                List.copyOf(createSchemas), List.copyOf(leftOut));
    }

    /** The relation an entry belongs to (for a TABLE DATA, INDEX, CONSTRAINT...), or null. */
    static Entry owner(Entry entry, Map<Integer, Entry> byId) {
        if (TAGGED_WITH_TABLE.contains(entry.desc())) {
            // the longest relation name the tag starts with ("a b c" is table "a b"'s c, not table "a"'s "b c")
            Entry tagged = null;
            for (int dep : entry.deps()) {
                Entry candidate = byId.get(dep);
                if (candidate != null && RELATIONS.contains(candidate.desc())
                        && java.util.Objects.equals(candidate.namespace(), entry.namespace())
                        && entry.tag().startsWith(candidate.tag() + " ")
                        && (tagged == null || candidate.tag().length() > tagged.tag().length())) {
                    tagged = candidate;
                }
            }
            if (tagged != null) {
                return tagged;
            }
        }
        Entry first = null;
        for (int dep : entry.deps()) {
            Entry candidate = byId.get(dep);
            if (candidate == null || "SCHEMA".equals(candidate.desc()) && !"COMMENT".equals(entry.desc())
                    && !"ACL".equals(entry.desc())) {
                continue;
            }
            if (RELATIONS.contains(candidate.desc())) {
                return candidate;
            }
            if (first == null) {
                first = candidate;
            }
        }
        return "SEQUENCE".equals(entry.desc()) ? null : first;
    }

    /** The relation an entry is or belongs to (a constraint or index a foreign key depends on: its table). */
    private static Entry relationOf(Entry entry, Map<Integer, Entry> byId) {
        if (entry == null) {
            return null;
        }
        if (RELATIONS.contains(entry.desc())) {
            return entry;
        }
        if (Set.of("CONSTRAINT", "INDEX").contains(entry.desc())) {
            Entry owner = owner(entry, byId);
            return owner != null && RELATIONS.contains(owner.desc()) ? owner : null;
        }
        return null;
    }

    private static List<String> relationNames(ArchiveToc toc) {
        List<String> names = new ArrayList<>();
        for (Entry entry : toc.entries()) {
            if ("TABLE".equals(entry.desc()) || "VIEW".equals(entry.desc())) {
                names.add(entry.qualifiedName());
            }
        }
        return names;
    }

    private static String sample(java.util.Collection<String> names) {
        if (names.isEmpty()) {
            return "(none)";
        }
        List<String> list = new ArrayList<>(names);
        String shown = String.join(", ", list.subList(0, Math.min(20, list.size())));
        return list.size() > 20 ? shown + " and " + (list.size() - 20) + " more" : shown;
    }

    /**
     * Whether {@code requested} names the entry: SQL-quoted parts ({@code "My Schema"."주문"}) are read as SQL reads
     * them; unquoted, it is "schema.name" or the name alone (either may hold dots: {@code public.a.b} is table
     * {@code a.b} of schema public).
     */
    static boolean names(Entry entry, String requested) {
        String text = requested.strip();
        if (text.indexOf('"') >= 0) {
            String[] name = splitName(text);
            return entry.tag().equals(name[1]) && (name[0] == null || name[0].equals(entry.namespace()));
        }
        return text.equals(entry.tag()) || text.equals(entry.namespace() + "." + entry.tag());
    }

    /**
     * "schema.name" into {schema, name}; "name" into {null, name}. Parts may be SQL-quoted ("My Schema"."My.Table");
     * unquoted, the name is split at its first dot.
     */
    static String[] splitName(String requested) {
        String text = requested.strip();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return new String[] {unquote(text.substring(0, i)), unquote(text.substring(i + 1))};
            }
        }
        return new String[] {null, unquote(text)};
    }

    static String unquote(String part) {
        String p = part.strip();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            return p.substring(1, p.length() - 1).replace("\"\"", "\"");
        }
        return p;
    }

    /** The list pg_restore --use-list reads: one dump id a line, in the archive's order. */
    public String useList() {
        StringBuilder list = new StringBuilder("; pg-backup selective restore\n");
        for (int id : ids) {
            list.append(id).append('\n');
        }
        return list.toString();
    }
}
