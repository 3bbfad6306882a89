package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import io.pgbackup.report.RunReport;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The logic of routes/managed-backup-check.yaml in the real app with the Cloud DB API call, the bucket listing, the
 * alert and the backup advised away by route id: a fresh managed backup is only logged; a stale one, or an API that cannot tell, is
 * alerted naming the instance, and pg-backup's own backup starts unless its own newest backup is recent enough.
 */
class ManagedCheckRoutesTest extends AppRouteTest {

    static final String INSTANCE = "2718281";
    /** Where ManagedBackupCheck.collectPage keeps the newest managed backup's end (what the API call yields). */
    static final String NEWEST_END = "managedNewestEnd";

    ManagedCheckRoutesTest() {
        super("check-managed", Map.of("cloud.db.instance.no", INSTANCE, "managed.backup.max.age", "26h",
                "ncp.access.key", "route-test-access", "ncp.secretKey", "route-test-secret"));
    }

    private Exchange check(Step managedList, Step ownList) throws Exception {
        advise("managed-backup-check", route -> {
            stubIn(route, "direct:managed-backup-list", managedList);
            stubIn(route, "direct:list-backups", ownList);
            stubIn(route, "direct:alert", exchange -> { });
            stubIn(route, "direct:backup-now", exchange -> { });
        });
        return send("direct:managed-backup-check", Map.of());
    }

    private static Step managedBackupEnded(OffsetDateTime end) {
        return exchange -> exchange.setProperty(NEWEST_END, end);
    }

    /** pg-backup's own backups in the bucket: one key of DB_NAME (shop) taken at {@code time}. */
    private static Step ownBackupAt(OffsetDateTime time) {
        String key = time.atZoneSameInstant(ZoneId.of("Asia/Seoul"))
                .format(DateTimeFormatter.ofPattern("yyyy/MM/dd/'shop_'yyyyMMddHHmmss'.sql.gz'"));
        return exchange -> exchange.getMessage().setBody(List.of(S3Object.builder().key(key).size(100L).build()));
    }

    @Test
    void aFreshManagedBackupIsOnlyLoggedNoAlertNoBackup() throws Exception {
        Exchange run = check(managedBackupEnded(OffsetDateTime.now().minusHours(2)), e -> { });

        assertThat(run.getException()).isNull();
        assertThat(run.getProperty("managedBackupStale")).isEqualTo(false);
        assertThat(calls).containsExactly("direct:managed-backup-list");
    }

    @Test
    void aStaleManagedBackupIsAlertedAndOurOwnBackupStartsWhenOursIsOldToo() throws Exception {
        Exchange run = check(managedBackupEnded(OffsetDateTime.now().minusDays(3)),
                ownBackupAt(OffsetDateTime.now().minusDays(2)));

        assertThat(run.getException()).isNull();
        assertThat(calls).containsExactly("direct:managed-backup-list", "direct:list-backups",
                "direct:alert", "direct:backup-now");
        assertThat(run.getProperty(RunReport.ALERT, String.class)).contains("Cloud DB instance " + INSTANCE)
                .contains("older than MANAGED_BACKUP_MAX_AGE");
        assertThat(run.getProperty(RunReport.ALERT_ACTION, String.class)).startsWith("pg-backup's own backup");
    }

    @Test
    void aStaleManagedBackupIsAlertedButNoBackupStartsWhenOursIsRecent() throws Exception {
        Exchange run = check(managedBackupEnded(OffsetDateTime.now().minusDays(3)),
                ownBackupAt(OffsetDateTime.now().minusHours(1)));

        assertThat(calls).containsExactly("direct:managed-backup-list", "direct:list-backups",
                "direct:alert");
        assertThat(run.getProperty(RunReport.ALERT_ACTION, String.class)).startsWith("none:");
    }

    @Test
    void anApiThatCannotTellIsAlertedAsStaleNamingTheInstanceAndOurBackupStarts() throws Exception {
        Exchange run = check(e -> {
            throw new IOException("Cloud DB API answered 503");
        }, e -> e.getMessage().setBody(List.of()));

        assertThat(run.getException()).isNull();
        assertThat(calls).containsExactly("direct:managed-backup-list", "direct:list-backups",
                "direct:alert", "direct:backup-now");
        assertThat(run.getProperty(RunReport.ALERT, String.class))
                .contains("Cloud DB instance " + INSTANCE + ": the managed backup could not be checked")
                .contains("503");
    }
}
