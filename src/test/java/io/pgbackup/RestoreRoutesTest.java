package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.pgbackup.restore.RestoreTarget;
import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The logic of routes/restore.yaml's restore-into-place with the server calls stubbed (RoutesUnderTest): the fresh
 * database is renamed into place only when the load succeeded, and dropped whenever it was not renamed. RestoreIT
 * proves the same against a real PostgreSQL with truncated and tampered objects.
 */
@Timeout(60)
class RestoreRoutesTest {

    static RoutesUnderTest app(List<String> sql, String failing) {
        RoutesUnderTest app = new RoutesUnderTest().advising("restore-into-place");
        for (String endpoint : List.of("direct:load-backup", "direct:psql-maintenance", "direct:drop-fresh-database")) {
            app.stub(endpoint, exchange -> {
                if (endpoint.equals("direct:psql-maintenance")) {
                    sql.add(exchange.getMessage().getBody(String.class));
                }
                if (endpoint.equals(failing)) {
                    throw new IllegalStateException(endpoint + " failed");
                }
            });
        }
        return app;
    }

    static Exchange restore(RoutesUnderTest app) {
        DatabaseRun run = new DatabaseRun("shop");
        run.setTarget("restored shop");
        run.setKey("2026/12/01/shop_20261201020000.sql.gz");
        return app.send("direct:restore-into-place", Map.of(DatabaseRun.PROPERTY, run));
    }

    @Test
    void aLoadThatSucceededIsRenamedIntoPlaceAndNotDropped() throws Exception {
        List<String> sql = Collections.synchronizedList(new ArrayList<>());
        try (RoutesUnderTest app = app(sql, "none").start("restore")) {
            Exchange run = restore(app);

            assertThat(run.getException()).isNull();
            assertThat(app.calls).containsExactly("direct:load-backup", "direct:psql-maintenance");
            String fresh = run.getProperty(RestoreTarget.FRESH, String.class);
            assertThat(fresh).isNotBlank().isNotEqualTo("restored shop");
            assertThat(sql).singleElement().asString().contains("ALTER DATABASE \"" + fresh + "\" RENAME TO \"restored shop\"");
            assertThat(run.getProperty("renamed", Boolean.class)).isTrue();
        }
    }

    @Test
    void aFailedLoadDropsTheFreshDatabaseAndRenamesNothing() throws Exception {
        List<String> sql = Collections.synchronizedList(new ArrayList<>());
        try (RoutesUnderTest app = app(sql, "direct:load-backup").start("restore")) {
            Exchange run = restore(app);

            assertThat(run.getException()).hasMessageContaining("direct:load-backup failed");
            assertThat(app.calls).containsExactly("direct:load-backup", "direct:drop-fresh-database");
            assertThat(sql).isEmpty();
        }
    }

    @Test
    void aFailedRenameDropsTheFreshDatabase() throws Exception {
        List<String> sql = Collections.synchronizedList(new ArrayList<>());
        try (RoutesUnderTest app = app(sql, "direct:psql-maintenance").start("restore")) {
            Exchange run = restore(app);

            assertThat(run.getException()).hasMessageContaining("direct:psql-maintenance failed");
            assertThat(app.calls).containsExactly("direct:load-backup", "direct:psql-maintenance",
                    "direct:drop-fresh-database");
            assertThat(run.getProperty("renamed")).isNull();
        }
    }
}
