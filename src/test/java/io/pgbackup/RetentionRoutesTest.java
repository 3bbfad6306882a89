package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.pgbackup.manifest.BackupManifest;
import io.pgbackup.retention.Pruning;
import io.pgbackup.retention.RetentionPolicy;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * routes/retention.yaml (prune) of the real app over a real store in this JVM (RouteTestStore), RETENTION_KEEP_LAST=2:
 * what the rules keep and delete (each deleted backup with its manifest), what they never touch (another database,
 * objects that are not backups), and that a dry run deletes nothing. Each test prunes a database of its own.
 */
class RetentionRoutesTest extends AppRouteTest {

    static final String PREFIX = "retention-routes/";

    RetentionRoutesTest() {
        super("prune", keepLastTwo());
    }

    private static Map<String, String> keepLastTwo() {
        Map<String, String> settings = new java.util.HashMap<>(RouteTestStore.settings(PREFIX));
        settings.put("retention.keep.last", "2");
        return settings;
    }

    /** A good backup of {@code database} (object and manifest) taken on 2026-03-{@code day} at 02:00. */
    static String goodBackup(String database, int day) throws IOException {
        String key = PREFIX + "2026/03/%02d/%s_202603%02d020000.sql.gz".formatted(day, database, day);
        RouteTestStore.put(key, "dump of " + database);
        BackupManifest manifest = new BackupManifest();
        manifest.key = key;
        manifest.database = database;
        manifest.objectBytes = ("dump of " + database).length();
        RouteTestStore.put(key + BackupManifest.SUFFIX, manifest.toJson());
        return key;
    }

    static List<String> keys() {
        return RouteTestStore.STORE.keys(RouteTestStore.BUCKET).stream().filter(key -> key.startsWith(PREFIX))
                .toList();
    }

    private Exchange prune(String database, boolean dryRun) {
        return send("direct:prune", Map.of(Pruning.DATABASE, database, Pruning.DRY_RUN, dryRun));
    }

    @Test
    void pruneKeepsTheNewestTwoAndDeletesTheOlderBackupsWithTheirManifestsOnly() throws Exception {
        String oldest = goodBackup("orders", 1);
        String older = goodBackup("orders", 2);
        String kept = goodBackup("orders", 3);
        String newest = goodBackup("orders", 4);
        String otherDatabase = goodBackup("orders_archive", 1);
        RouteTestStore.put(PREFIX + "2026/03/01/orders-notes.txt", "not a backup");

        Exchange run = prune("orders", false);

        assertThat(run.getException()).isNull();
        assertThat(keys()).doesNotContain(oldest, oldest + BackupManifest.SUFFIX, older, older + BackupManifest.SUFFIX)
                .contains(kept, kept + BackupManifest.SUFFIX, newest, newest + BackupManifest.SUFFIX,
                        otherDatabase, otherDatabase + BackupManifest.SUFFIX, PREFIX + "2026/03/01/orders-notes.txt");
    }

    @Test
    void aDryRunPlansTheSameDeletionsAndDeletesNothing() throws Exception {
        String oldest = goodBackup("invoices", 1);
        goodBackup("invoices", 2);
        goodBackup("invoices", 3);
        List<String> before = keys();

        Exchange run = prune("invoices", true);

        assertThat(run.getException()).isNull();
        assertThat(keys()).containsExactlyInAnyOrderElementsOf(before);
        List<?> plan = run.getProperty(Pruning.PLAN, List.class);
        assertThat(plan).map(decision -> ((RetentionPolicy.Decision) decision).action() + " "
                + ((RetentionPolicy.Decision) decision).key()).contains("DELETE " + oldest)
                .filteredOn(line -> line.startsWith("DELETE")).hasSize(1);
    }
}
