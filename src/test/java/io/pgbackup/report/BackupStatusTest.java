package io.pgbackup.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Date;
import java.util.List;

import io.pgbackup.run.DatabaseRun;
import io.pgbackup.run.RunProperties;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.s3.model.S3Object;

/** The routes' side: exchange properties in, exchange properties out, settings as beans.yaml gives them. */
class BackupStatusTest {

    final BackupStateTest.TestClock clock = new BackupStateTest.TestClock();
    final DefaultCamelContext camel = new DefaultCamelContext();
    BackupStatus status;

    @BeforeEach
    void setUp() {
        status = new BackupStatus();
        status.state().setClock(clock);
        status.setStaleAfter("26h");
        status.setTimezone("Asia/Seoul");
        status.setDatabases("shop, orders");
    }

    @Test
    void theSettingsComeAsBeansYamlWritesThem() {
        assertThat(status.state().databases()).containsExactly("shop", "orders");
        assertThat(status.state().getStaleAfter()).isEqualTo(Duration.ofHours(26));

        assertThatThrownBy(() -> status.setStaleAfter("soon")).as("no second default: refused, naming the setting")
                .hasMessage("STALE_AFTER: 'soon' is not a duration like 26h, 90m, 2d or PT26H");
        assertThat(status.state().getStaleAfter()).isEqualTo(Duration.ofHours(26));
        assertThatThrownBy(() -> status.setTimezone("Mars/Olympus")).hasMessageStartingWith("BACKUP_TIMEZONE: 'Mars/Olympus'");
        status.setStaleAfter("PT5S");
        assertThat(status.state().getStaleAfter()).isEqualTo(Duration.ofSeconds(5));

        BackupStatus every = new BackupStatus();
        every.setDatabases("*");
        assertThat(every.state().databases()).as("known from the bucket and the runs").isEmpty();
    }

    @Test
    void outcomesAreReadFromTheExchangeWithoutTheFailureCause() {
        Exchange stored = new DefaultExchange(camel);
        stored.setProperty(DatabaseRun.PROPERTY, new DatabaseRun("shop", Date.from(clock.instant().minusMillis(1500))));
        DatabaseRun.of(stored).setCompressedBytes(2048L);
        status.succeeded(stored);
        assertThat(status.state().lastBytes("shop")).isEqualTo(2048);
        assertThat(status.state().lastDurationSeconds("shop")).isEqualTo(1.5);

        Exchange failed = exchange("orders");
        failed.setProperty(RunReport.FAILED_STAGE, "dump");
        failed.setProperty(RunProperties.FAILURE_CAUSE, "password authentication failed for user backup");
        status.failed(failed);
        assertThat(status.state().health().message()).isEqualTo("orders: last backup failed (stage dump at 2026-11-28T00:00:00Z)")
                .as("the failing command's text stays in the log and the notification").doesNotContain("password");

        Exchange verify = exchange("shop");
        verify.setProperty(RunReport.FAILED_STAGE, "verify");
        status.verifyFailed(verify);
        assertThat(status.state().health().message()).contains("shop: last test restore failed (stage verify at");
        status.verified(exchange("shop"));
        assertThat(status.state().health().message()).doesNotContain("shop:");

        status.succeeded(exchange(null));
        assertThat(status.state().databases()).as("an outcome without a database").contains("unknown");
    }

    @Test
    void theStaleCheckReadsTheBucketAndSetsTheAlertProperties() {
        clock.advance(Duration.ofHours(27));
        Exchange listed = exchange(null);
        // 2026-11-29 08:00:00 in Seoul = 2026-11-28T23:00:00Z, 4 h before the clock
        listed.getMessage().setBody(List.of(S3Object.builder().key("2026/11/29/shop_20261129080000.sql.gz").build()));
        status.storedBackups(listed);

        Exchange check = exchange(null);
        status.check(check);
        assertThat(check.getProperty(BackupStatus.STALE_ALERT, Boolean.class)).isTrue();
        assertThat(check.getProperty(BackupStatus.STALE_SUMMARY, String.class))
                .isEqualTo("no good backup within STALE_AFTER 26h: orders: no good backup known, service up for 27h");

        Exchange again = exchange(null);
        status.check(again);
        assertThat(again.getProperty(BackupStatus.STALE_ALERT, Boolean.class)).isFalse();
        assertThat(again.getProperty(BackupStatus.STALE_SUMMARY)).isNull();
    }

    private Exchange exchange(String database) {
        Exchange exchange = new DefaultExchange(camel);
        if (database != null) {
            exchange.setProperty(DatabaseRun.PROPERTY, new DatabaseRun(database));
        }
        return exchange;
    }
}
