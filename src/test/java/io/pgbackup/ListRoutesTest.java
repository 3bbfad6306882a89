package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.pgbackup.storage.BackupCatalog;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/** routes/list.yaml (list, list-backups) of the real app over a real store in this JVM (RouteTestStore): seconds. */
class ListRoutesTest extends AppRouteTest {

    static final String PREFIX = "list-routes/";

    ListRoutesTest() {
        super("list", RouteTestStore.settings(PREFIX));
    }

    @Test
    void listShowsTheBackupsUnderThePrefixOldestFirstWithTheirStateAndNothingElse() throws Exception {
        RouteTestStore.put(PREFIX + "2026/03/02/shop_20260302020000.sql.gz", "dump");
        RouteTestStore.put(PREFIX + "2026/03/01/shop_20260301020000.sql.gz", "dump");
        RouteTestStore.put(PREFIX + "2026/03/01/crm_20260301030000.sql.gz", "dump");
        RouteTestStore.put(PREFIX + "2026/03/02/shop_20260302020000.sql.gz.manifest.json", "{not json");
        RouteTestStore.put(PREFIX + "notes.txt", "not a backup");
        RouteTestStore.put("elsewhere/2026/03/03/shop_20260303020000.sql.gz", "dump");

        Exchange run = send("direct:list", Map.of());

        assertThat(run.getException()).isNull();
        List<?> listed = run.getMessage().getBody(List.class);
        assertThat(listed).map(entry -> ((BackupCatalog.Entry) entry).object().key() + " "
                + ((BackupCatalog.Entry) entry).state()).containsExactly(
                        PREFIX + "2026/03/01/shop_20260301020000.sql.gz UNCHECKED",
                        PREFIX + "2026/03/01/crm_20260301030000.sql.gz UNCHECKED",
                        PREFIX + "2026/03/02/shop_20260302020000.sql.gz UNREADABLE");
    }
}
