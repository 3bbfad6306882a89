package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.pgbackup.support.BackupServers;
import io.pgbackup.support.PgBackupProcess;
import io.pgbackup.support.PostgresServer;
import io.pgbackup.support.S3Server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Verify before execute: the manifest holds the SHA-256 of every chunk of the stored object, and restore, verify and
 * the read-back hand a chunk on only after it matched. A bucket writer who inserts a statement into the first chunk
 * (manifest untouched) gets nothing run: the run fails naming the chunk, and the role the statement would create does
 * not exist. Real PostgreSQL 15, S3Proxy (SigV4), the packaged jar.
 */
@Timeout(600)
class ChunkVerificationIT {

    static final String BUCKET = "chunks-it";
    static final String PASSWORD = "chunks pw";
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Rows of the attacked databases: a dump (~15 MB) long enough that psql receives and runs its start before the
     * end of the object is read (a small dump is read whole before psql gets any of it, and today's end check wins).
     */
    static final int ATTACK_ROWS = 150_000;

    @RegisterExtension
    static final BackupServers SERVERS = BackupServers.onSharedPostgres(BUCKET, "chunks_user", PASSWORD);

    static PostgresServer postgres;
    static S3Server s3;

    @AfterEach
    void noTemporaryDatabaseIsLeft() throws Exception {
        assertThat(postgres.psql("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgbackup_restore_%'"
                + " OR datname LIKE 'pgbackup_verify_%'").strip()).isEqualTo("0");
    }

    PgBackupProcess pgBackup(String database, String prefix) {
        return SERVERS.pgBackup(database, prefix).timeoutSeconds(300);
    }

    static void createShop(String database, int rows) throws Exception {
        postgres.createDatabase(database);
        postgres.psql(database, """
                CREATE TABLE public.orders (id int PRIMARY KEY, note text);
                INSERT INTO public.orders SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)
                  FROM generate_series(1, %d) g;
                """.formatted(rows));
    }

    String onlyKey(String prefix) {
        List<String> keys = s3.keys(BUCKET).stream().filter(k -> k.startsWith(prefix) && !k.endsWith(".manifest.json"))
                .toList();
        assertThat(keys).hasSize(1);
        return keys.get(0);
    }

    boolean roleExists(String role) throws Exception {
        return !postgres.psql("postgres", "SELECT 1 FROM pg_roles WHERE rolname = " + PostgresServer.quoteLiteral(role))
                .isBlank();
    }

    /**
     * As a bucket writer: the object decompressed, a statement inserted after the dump's header (the search_path line),
     * recompressed with the same compression (gzip) and stored under the same key; the manifest is left as it was.
     * COMMIT ends psql's --single-transaction, so the role would outlive the failed restore.
     */
    void insertRoleIntoFirstChunk(String key, String role) throws Exception {
        String sql = new String(gunzip(s3.get(BUCKET, key)), StandardCharsets.UTF_8);
        String header = "SELECT pg_catalog.set_config('search_path', '', false);\n";
        int at = sql.indexOf(header);
        assertThat(at).as("the dump's header").isPositive();
        String tampered = sql.substring(0, at + header.length()) + "COMMIT;\nCREATE ROLE " + role + " SUPERUSER LOGIN;\n"
                + sql.substring(at + header.length());
        s3.put(BUCKET, key, gzip(tampered.getBytes(StandardCharsets.UTF_8)));
    }

    /** A new database {@code db} backed up under {@code prefix}, its first chunk then given {@code role}'s CREATE ROLE. */
    void backUpAndInsertRole(String db, String prefix, String role) throws Exception {
        createShop(db, ATTACK_ROWS);
        PgBackupProcess.Result backup = pgBackup(db, prefix).run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        insertRoleIntoFirstChunk(onlyKey(prefix), role);
    }

    @Test
    void restoreRunsNothingOfAFirstChunkWithAnInsertedStatementAndNamesTheChunk() throws Exception {
        String role = "evil_restore_" + System.nanoTime();
        backUpAndInsertRole("chunks_restore", "restore/", role);

        PgBackupProcess.Result restore = pgBackup("chunks_restore", "restore/")
                .run("restore", "--target-db", "chunks_restore_copy");

        assertThat(restore.exitCode()).as(restore.toString()).isNotZero();
        assertThat(roleExists(role)).as("the inserted CREATE ROLE ran").isFalse();
        assertThat(restore.all()).contains("differs from its manifest in chunk 0 of ")
                .contains("nothing of that chunk was used");
        assertThat(postgres.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'chunks_restore_copy'")).isBlank();
    }

    @Test
    void verifyRunsNothingOfAFirstChunkWithAnInsertedStatementAndNamesTheChunk() throws Exception {
        String role = "evil_verify_" + System.nanoTime();
        backUpAndInsertRole("chunks_verify", "verify/", role);

        PgBackupProcess.Result verify = pgBackup("chunks_verify", "verify/").run("verify");

        assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
        assertThat(roleExists(role)).as("the inserted CREATE ROLE ran").isFalse();
        assertThat(verify.all()).contains("test restore FAILED").contains("differs from its manifest in chunk 0 of ");
    }

    /** 64 KiB chunks: a backup of many chunks is read back, restored and verified; the hashes are the object's. */
    @Test
    void aBackupOfManyChunksIsReadBackRestoresAndVerifies() throws Exception {
        createShop("chunks_many", 20_000);
        PgBackupProcess.Result backup = pgBackup("chunks_many", "many/").set("CHUNK_SIZE", "65536")
                .set("VERIFY_DOWNLOAD", "true").run("backup");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.stderr()).contains("read back whole");
        String key = onlyKey("many/");
        byte[] object = s3.get(BUCKET, key);
        JsonNode manifest = JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        assertThat(manifest.get("chunkBytes").asInt()).isEqualTo(65536);
        List<String> recorded = new ArrayList<>();
        manifest.get("chunkSha256").forEach(h -> recorded.add(h.asText()));
        assertThat(recorded).hasSizeGreaterThanOrEqualTo(4).isEqualTo(chunkHashes(object, 65536));

        PgBackupProcess.Result restore = pgBackup("chunks_many", "many/").run("restore", "--target-db", "chunks_many_copy");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stderr()).doesNotContain("predates chunk hashes");
            assertThat(postgres.psql("chunks_many_copy", "SELECT count(*), md5(string_agg(note, ',' ORDER BY id))"
                    + " FROM public.orders")).isEqualTo(postgres.psql("chunks_many",
                            "SELECT count(*), md5(string_agg(note, ',' ORDER BY id)) FROM public.orders"));
        } finally {
            postgres.dropDatabase("chunks_many_copy");
        }
        PgBackupProcess.Result verify = pgBackup("chunks_many", "many/").run("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();

        // a damaged middle chunk: restore stops there, naming it, and leaves nothing behind
        int middle = recorded.size() / 2;
        byte[] damaged = object.clone();
        damaged[middle * 65536 + 10] ^= 0x40;
        s3.put(BUCKET, key, damaged);
        PgBackupProcess.Result broken = pgBackup("chunks_many", "many/").run("restore", "--target-db", "chunks_many_bad");
        assertThat(broken.exitCode()).as(broken.toString()).isNotZero();
        assertThat(broken.all()).contains("chunk " + middle + " of " + recorded.size() + " (bytes " + middle * 65536L + " to");
        assertThat(postgres.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = 'chunks_many_bad'")).isBlank();
    }

    @Test
    void aManifestFromBeforeChunkHashesStillRestoresWithOneWarning() throws Exception {
        createShop("chunks_legacy", 500);
        assertThat(pgBackup("chunks_legacy", "legacy/").run("backup").exitCode()).isZero();
        String key = onlyKey("legacy/");
        ObjectNode manifest = (ObjectNode) JSON.readTree(s3.get(BUCKET, key + ".manifest.json"));
        manifest.remove("chunkBytes");
        manifest.remove("chunkSha256");
        s3.put(BUCKET, key + ".manifest.json", JSON.writeValueAsBytes(manifest));

        PgBackupProcess.Result restore = pgBackup("chunks_legacy", "legacy/")
                .run("restore", "--target-db", "chunks_legacy_copy");
        try {
            assertThat(restore.exitCode()).as(restore.toString()).isZero();
            assertThat(restore.stderr().lines().filter(l -> l.contains("predates chunk hashes")))
                    .singleElement().asString().contains("checked only at the end of the stream").contains(key);
            assertThat(postgres.psql("chunks_legacy_copy", "SELECT count(*) FROM public.orders").strip()).isEqualTo("500");
        } finally {
            postgres.dropDatabase("chunks_legacy_copy");
        }
    }

    static List<String> chunkHashes(byte[] object, int chunk) throws Exception {
        List<String> hashes = new ArrayList<>();
        for (int at = 0; at < object.length; at += chunk) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(object, at, Math.min(chunk, object.length - at));
            hashes.add(HexFormat.of().formatHex(sha.digest()));
        }
        return hashes;
    }

    static byte[] gunzip(byte[] data) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
