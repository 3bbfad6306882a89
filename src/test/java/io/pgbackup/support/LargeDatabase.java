package io.pgbackup.support;

import java.io.IOException;
import java.util.List;

/**
 * The shared large database of the end-to-end tests, made once per test run on the shared PostgreSQL: about 110 MB
 * of plain dump with realistic rows (customers, orders with numeric amounts, jsonb, bytea and timestamps, events
 * with free text), keys, a foreign key and indexes. Large enough that its backup has ~27 gzip members (4 MiB blocks)
 * and several parts at UPLOAD_PART_SIZE=5242880, so every restore, verify and read-back of it crosses member and
 * part boundaries.
 */
public final class LargeDatabase {

    public static final String NAME = "large_fixture";
    /** Every table, as pg_dump names them. */
    public static final List<String> TABLES = List.of("public.customers", "public.orders", "public.events");

    private static boolean made;

    private LargeDatabase() {
    }

    /** The database, made on first use (about 20 s). */
    public static synchronized String on(PostgresServer postgres) throws IOException, InterruptedException {
        if (!made) {
            postgres.createDatabase(NAME);
            postgres.psql(NAME, """
                    CREATE TABLE customers (
                      id int PRIMARY KEY, name text NOT NULL, email text, city text, joined date);
                    INSERT INTO customers
                      SELECT g, '고객 ' || g || ' ' || md5(g::text), 'user' || g || '@example.com',
                             (ARRAY['서울','부산','Incheon','Daegu','대전'])[1 + g % 5], date '2020-01-01' + g % 2000
                      FROM generate_series(1, 50000) g;
                    CREATE TABLE orders (
                      id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id),
                      amount numeric(12,2), status text, detail jsonb, receipt bytea, ordered_at timestamptz);
                    INSERT INTO orders (customer_id, amount, status, detail, receipt, ordered_at)
                      SELECT 1 + g % 50000, round((random() * 100000)::numeric, 2),
                             (ARRAY['paid','shipped','returned','new'])[1 + g % 4],
                             jsonb_build_object('items', g % 9 + 1, 'sku', 'SKU-' || (g % 7919), 'note', md5(g::text),
                                                'tags', jsonb_build_array('a' || g % 13, '태그 ' || g % 7)),
                             decode(md5((g * 3)::text), 'hex'),
                             timestamptz '2025-01-01' + g * interval '13 seconds'
                      FROM generate_series(1, 420000) g;
                    CREATE INDEX orders_customer ON orders (customer_id);
                    CREATE INDEX orders_time ON orders (ordered_at);
                    CREATE TABLE events (id bigint, kind text, payload text, at timestamptz);
                    INSERT INTO events
                      SELECT g, 'event ' || g % 17,
                             repeat(md5(g::text), 1 + g % 3) || E' tab\\there "quoted" \\\\ back',
                             timestamptz '2025-06-01' + g * interval '1 second'
                      FROM generate_series(1, 330000) g;
                    """);
            postgres.psql(NAME, "VACUUM (FREEZE, ANALYZE)");
            made = true;
        }
        return NAME;
    }
}
