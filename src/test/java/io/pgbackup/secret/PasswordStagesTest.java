package io.pgbackup.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PasswordStagesTest {

    private static final String ACTIVE = "now-pw-1";
    private static final String PENDING = "next-pw-2";
    private static final String PREVIOUS = "old-pw-3";

    @Test
    void aLoginTriesActiveThenPendingThenPrevious() {
        PasswordStages stages = PasswordStages.of("sec", Map.of("previous", PREVIOUS, "pending", PENDING, "active", ACTIVE));

        assertThat(stages.names()).containsExactly("active", "pending", "previous");
        assertThat(stages.tryNext().value().reveal()).isEqualTo(ACTIVE);
        assertThat(stages.tryNext().value().reveal()).isEqualTo(PENDING);
        assertThat(stages.tryNext().value().reveal()).isEqualTo(PREVIOUS);
        assertThat(stages.untried()).isFalse();
        assertThat(stages.acceptedName()).isNull();
        assertThat(stages.tried()).containsExactly("active", "pending", "previous");
    }

    @Test
    void onlyTheStagesTheSecretHasAreTriedEachValueOnce() {
        Map<String, String> values = new HashMap<>();
        values.put("active", ACTIVE);
        values.put("pending", ACTIVE); // the same value as active: tried already
        values.put("previous", PREVIOUS);
        assertThat(PasswordStages.of("sec", values).names()).containsExactly("active", "previous");

        values.put("previous", "");
        values.remove("pending");
        PasswordStages activeOnly = PasswordStages.of("sec", values);
        assertThat(activeOnly.names()).containsExactly("active");
        assertThat(activeOnly.hasAlternatives()).isFalse();
    }

    @Test
    void theTriesStopAtTheStageAccepted() {
        PasswordStages stages = PasswordStages.of("sec", Map.of("active", ACTIVE, "pending", PENDING, "previous", PREVIOUS));

        stages.tryNext();
        stages.refuseLast("password authentication failed for user \"app\"");
        stages.tryNext();
        stages.acceptLast();

        assertThat(stages.untried()).isFalse();
        assertThat(stages.acceptedName()).isEqualTo("pending");
        assertThat(stages.tried()).containsExactly("active", "pending");
        assertThatThrownBy(stages::tryNext).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLoginStartedAgainTriesFromActiveOn() {
        PasswordStages stages = PasswordStages.of("sec", Map.of("active", ACTIVE, "previous", PREVIOUS));
        stages.tryNext();
        stages.refuseLast("password authentication failed");
        stages.tryNext();

        stages.restart();

        assertThat(stages.untried()).isTrue();
        assertThat(stages.tried()).isEmpty();
        assertThat(stages.refusal()).isEmpty();
        assertThat(stages.tryNext().name()).isEqualTo("active");
    }

    @Test
    void anActiveValueIsRequired() {
        assertThatThrownBy(() -> PasswordStages.of("sec", Map.of("pending", PENDING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(PENDING);
    }

    @Test
    void noTextShowsAValueAndMaskHidesEveryStage() {
        PasswordStages stages = PasswordStages.of("sec", Map.of("active", ACTIVE, "pending", PENDING, "previous", PREVIOUS));

        assertThat(stages.toString()).isEqualTo("PasswordStages[active, pending, previous]");
        assertThat(stages.tryNext().toString()).isEqualTo("active");
        assertThat(stages.mask("a " + ACTIVE + " b " + PENDING + " c " + PREVIOUS))
                .doesNotContain(ACTIVE, PENDING, PREVIOUS).isEqualTo("a ****** b ****** c ******");
    }
}
