package io.pgbackup.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void aDurationIsShownInItsLargestUnitAndTheNext() {
        assertThat(Durations.human(Duration.ofSeconds(7))).isEqualTo("7s");
        assertThat(Durations.human(Duration.ofMillis(3250))).as("a short run keeps its tenth").isEqualTo("3.2s");
        assertThat(Durations.human(Duration.ofMillis(62_400))).isEqualTo("1m02s");
        assertThat(Durations.human(Duration.ofMinutes(45))).isEqualTo("45m");
        assertThat(Durations.human(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.human(Duration.ofHours(26))).as("as the setting is written").isEqualTo("26h");
        assertThat(Durations.human(Duration.ofHours(26).plusMinutes(5).plusSeconds(59))).isEqualTo("26h05m");
        assertThat(Durations.human(Duration.ofDays(3).plusHours(2))).isEqualTo("3d02h");
        assertThat(Durations.human(Duration.ofDays(7).plusHours(23).plusMinutes(59))).isEqualTo("7d23h");
        assertThat(Durations.human(Duration.ofSeconds(-5))).as("a clock that stepped back").isEqualTo("0s");
    }

    @Test
    void aDurationSettingIsShortOrIso8601() {
        assertThat(Durations.parse("26h")).isEqualTo(Duration.ofHours(26));
        assertThat(Durations.parse(" 90 m ")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2D")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("pt26h")).isEqualTo(Duration.ofHours(26));
        assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(RuntimeException.class);
    }
}
