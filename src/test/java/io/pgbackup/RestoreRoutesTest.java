package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

/**
 * The logic of routes/restore.yaml's restore-into-place in the real app with the server calls advised away by route
 * id: the fresh database is renamed into place only when the load succeeded, and dropped whenever it was not renamed.
 * RestoreIT proves the same against a real PostgreSQL with truncated and tampered objects.
 */
class RestoreRoutesTest extends AppRouteTest {

    final List<String> sql = Collections.synchronizedList(new ArrayList<>());

    RestoreRoutesTest() {
        super("restore");
    }

    /** Restores into "restored shop"; the stage {@code failing} fails. */
    Exchange restore(String failing) throws Exception {
        advise("restore-into-place", route -> {
            for (String endpoint : List.of("direct:load-backup", "direct:psql-maintenance",
                    "direct:drop-fresh-database")) {
                stubIn(route, endpoint, exchange -> {
                    if (endpoint.equals("direct:psql-maintenance")) {
                        sql.add(exchange.getMessage().getBody(String.class));
                    }
                    if (endpoint.equals(failing)) {
                        throw new IllegalStateException(endpoint + " failed");
                    }
                });
            }
        });
        DatabaseRun run = new DatabaseRun("shop");
        run.setTarget("restored shop");
        run.setKey("2026/12/01/shop_20261201020000.sql.gz");
        return send("direct:restore-into-place", Map.of(DatabaseRun.PROPERTY, run));
    }

    @Test
    void aLoadThatSucceededIsRenamedIntoPlaceAndNotDropped() throws Exception {
        Exchange run = restore("none");

        assertThat(run.getException()).isNull();
        assertThat(calls).containsExactly("direct:load-backup", "direct:psql-maintenance");
        String fresh = DatabaseRun.of(run).fresh();
        assertThat(fresh).isNotBlank().isNotEqualTo("restored shop");
        assertThat(sql).singleElement().asString().contains("ALTER DATABASE \"" + fresh + "\" RENAME TO \"restored shop\"");
        assertThat(DatabaseRun.of(run).renamed()).isTrue();
    }

    @Test
    void aFailedLoadDropsTheFreshDatabaseAndRenamesNothing() throws Exception {
        Exchange run = restore("direct:load-backup");

        assertThat(run.getException()).hasMessageContaining("direct:load-backup failed");
        assertThat(calls).containsExactly("direct:load-backup", "direct:drop-fresh-database");
        assertThat(sql).isEmpty();
    }

    @Test
    void aFailedRenameDropsTheFreshDatabase() throws Exception {
        Exchange run = restore("direct:psql-maintenance");

        assertThat(run.getException()).hasMessageContaining("direct:psql-maintenance failed");
        assertThat(calls).containsExactly("direct:load-backup", "direct:psql-maintenance",
                "direct:drop-fresh-database");
        assertThat(DatabaseRun.of(run).renamed()).isFalse();
    }
}
