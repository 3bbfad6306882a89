package io.pgbackup.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The state alone: plain Java, a clock moved by hand, no Camel. */
class BackupStateTest {

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-28T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    TestClock clock;
    BackupState status;

    @BeforeEach
    void setUp() {
        clock = new TestClock();
        status = new BackupState();
        status.setClock(clock);
        status.setStaleAfter(Duration.ofHours(26));
        status.setZone(ZoneId.of("Asia/Seoul"));
        status.track(List.of("shop", "orders"));
    }

    @Test
    void aNewServiceIsUpUntilStaleAfterHasPassedWithoutABackup() {
        assertThat(status.health().up()).isTrue();
        assertThat(status.staleDatabasesToAlert()).isEmpty();

        clock.advance(Duration.ofHours(26).plusSeconds(1));

        BackupState.Health health = status.health();
        assertThat(health.up()).isFalse();
        assertThat(health.message()).contains("shop: no good backup known").contains("orders: no good backup known")
                .contains("STALE_AFTER 26h");
    }

    @Test
    void aFailedLastBackupIsDownUntilTheNextSuccess() {
        status.recordSuccess("shop", clock.instant().minusSeconds(3), 1000);
        status.recordSuccess("orders", clock.instant().minusSeconds(3), 1000);
        clock.advance(Duration.ofMinutes(1));

        status.recordFailure("shop", "dump");

        BackupState.Health down = status.health();
        assertThat(down.up()).isFalse();
        assertThat(down.message()).isEqualTo("shop: last backup failed (stage dump at "
                + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")");

        clock.advance(Duration.ofMinutes(1));
        status.recordSuccess("shop", clock.instant().minusSeconds(2), 2000);

        assertThat(status.health().up()).isTrue();
        assertThat(status.failures("shop")).isEqualTo(1);
        assertThat(status.successes("shop")).isEqualTo(2);
    }

    @Test
    void aFailedTestRestoreIsDownUntilOnePasses() {
        status.recordSuccess("shop", clock.instant().minusSeconds(3), 1000);
        status.recordSuccess("orders", clock.instant().minusSeconds(3), 1000);

        status.recordTestRestore("orders", "verify");

        BackupState.Health down = status.health();
        assertThat(down.up()).isFalse();
        assertThat(down.message()).isEqualTo("orders: last test restore failed (stage verify at 2026-11-28T00:00:00Z)");

        // a newer backup alone does not prove anything restores: only a passing test restore clears it
        clock.advance(Duration.ofMinutes(1));
        status.recordSuccess("orders", clock.instant().minusSeconds(2), 1000);
        assertThat(status.health().up()).isFalse();

        status.recordTestRestore("orders", null);
        assertThat(status.health().up()).isTrue();
    }

    @Test
    void metricsDescribeTheLastGoodBackup() {
        assertThat(status.lastSuccessEpochSeconds("shop")).isZero();
        assertThat(status.lastDurationSeconds("shop")).isNaN();
        assertThat(status.lastBytes("shop")).isNaN();

        status.recordSuccess("shop", clock.instant().minusMillis(2500), 12345);

        assertThat(status.lastSuccessEpochSeconds("shop")).isEqualTo(clock.instant().getEpochSecond());
        assertThat(status.lastDurationSeconds("shop")).isEqualTo(2.5);
        assertThat(status.lastBytes("shop")).isEqualTo(12345);

        status.recordFailure("shop", "upload");
        assertThat(status.lastSuccessEpochSeconds("shop")).as("a failure keeps the last success").isEqualTo(clock.instant().getEpochSecond());
        assertThat(status.failures("shop")).isEqualTo(1);
    }

    @Test
    void theBucketTellsARestartedServiceWhenTheLastBackupWas() {
        // 2026-11-27 10:00:00 in Seoul = 01:00:00 UTC, 23 h before the clock
        status.recordStoredKeys(List.of(
                "2026/11/26/shop_20261126100000.sql.gz",
                "2026/11/27/shop_20261127100000.sql.gz",
                "2026/11/27/other_20261127235959.sql.gz",
                "prod/2026/11/20/orders_20261120100000.sql.gz",
                "notes.txt"));

        assertThat(status.lastSuccessEpochSeconds("shop")).isEqualTo(Instant.parse("2026-11-27T01:00:00Z").getEpochSecond());
        assertThat(status.databases()).as("databases not backed up here are not tracked").containsExactly("shop", "orders");

        BackupState.Health health = status.health();
        assertThat(health.up()).isFalse();
        assertThat(health.message()).isEqualTo("orders: newest good backup 7d23h ago (2026-11-20 10:00:00 KST),"
                + " older than STALE_AFTER 26h");
        assertThat(status.staleDatabasesToAlert()).singleElement().asString().startsWith("orders: newest good backup 7d23h");

        clock.advance(Duration.ofHours(3).plusSeconds(1));
        assertThat(status.staleDatabasesToAlert()).singleElement().asString().startsWith("shop: newest good backup 26h");
    }

    @Test
    void aStaleDatabaseIsAlertedOncePerEpisode() {
        status.track(List.of("shop"));
        status.recordSuccess("orders", clock.instant(), 1);
        status.recordSuccess("shop", clock.instant(), 1);

        clock.advance(Duration.ofHours(27));
        List<String> first = status.staleDatabasesToAlert();
        assertThat(first).hasSize(2);

        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(15));
            assertThat(status.staleDatabasesToAlert()).as("still the same stale episode").isEmpty();
        }

        status.recordSuccess("shop", clock.instant(), 1);
        assertThat(status.staleDatabasesToAlert()).isEmpty();
        clock.advance(Duration.ofHours(27));

        assertThat(status.staleDatabasesToAlert()).as("stale again after recovering: a new episode")
                .singleElement().asString().startsWith("shop:");
    }

    @Test
    void aRecoverySeenOnlyInTheBucketEndsTheEpisodeToo() {
        status.track(List.of("shop"));
        clock.advance(Duration.ofHours(27));
        assertThat(status.staleDatabasesToAlert()).hasSize(2);

        // another instance stored a backup 2026-11-29 12:00:00 Seoul = 2026-11-29T03:00:00Z
        clock.now = Instant.parse("2026-11-29T03:00:05Z");
        status.recordStoredKeys(List.of("2026/11/29/shop_20261129120000.sql.gz"));
        assertThat(status.staleDatabasesToAlert()).isEmpty();

        clock.advance(Duration.ofHours(26));
        assertThat(status.staleDatabasesToAlert()).singleElement().asString().startsWith("shop:");
    }

    @Test
    void aFutureDatedKeyInTheBucketNeverMakesADatabaseFresh() {
        status.track(List.of("shop"));
        clock.advance(Duration.ofHours(27));
        status.recordFailure("shop", "dump");
        // a bucket writer's copy under a 2099 key, and one 2 h ahead of the clock (2026-11-29 14:00 Seoul = 03:00Z + 2h)
        status.recordStoredKeys(List.of("2099/01/01/shop_20990101020000.sql.gz", "2026/11/29/shop_20261129140000.sql.gz"));

        assertThat(status.health().up()).isFalse();
        assertThat(status.health().message()).contains("shop: last backup failed").contains("shop: no good backup known");
        assertThat(status.staleDatabasesToAlert()).anySatisfy(line -> assertThat(line).startsWith("shop:"));
        assertThat(status.lastSuccessEpochSeconds("shop")).isZero();
    }

    @Test
    void aNewDatabaseIsAnnouncedOnceToTheMetrics() {
        List<String> seen = new ArrayList<>();
        status.onDatabase(seen::add);
        status.recordFailure("extra", "secret");
        status.recordFailure("extra", "secret");
        status.recordSuccess("shop", null, -1);

        assertThat(seen).containsExactly("shop", "orders", "extra");
        assertThat(status.lastDurationSeconds("shop")).isNaN();
    }

    @Test
    void aDatabaseNameMayHoldSpaces() {
        BackupState spaced = new BackupState();
        spaced.setClock(clock);
        spaced.track(List.of("상점 shop"));
        spaced.recordStoredKeys(List.of("2026/11/27/상점 shop_20261127235959.sql.gz"));

        assertThat(spaced.databases()).containsExactly("상점 shop");
        assertThat(spaced.lastSuccessEpochSeconds("상점 shop")).isEqualTo(Instant.parse("2026-11-27T14:59:59Z").getEpochSecond());
    }

    @Test
    void theStaleAlertIsOneLineNamingEachDatabase() {
        assertThat(status.staleAlert()).isEmpty();
        clock.advance(Duration.ofHours(27));

        assertThat(status.staleAlert()).hasValue("no good backup within STALE_AFTER 26h: shop: no good backup known,"
                + " service up for 27h; orders: no good backup known, service up for 27h");
        assertThat(status.staleAlert()).as("once per episode").isEmpty();
    }
}
