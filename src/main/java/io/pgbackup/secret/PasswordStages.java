package io.pgbackup.secret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of one Secret Manager password by stage, in the order a login tries them: {@code active} (the one in
 * force), then {@code pending} (a rotation under way: the database may already have the next value), then
 * {@code previous} (a rotation not finished: the database may still have the old value). Only the stages the secret
 * has are kept, and a value equal to one before it is left out (it was tried already).
 * <p>
 * It also remembers how a login went: which stages were tried, which one the database accepted, and what the server
 * said when it refused. Its {@code toString()} and every text it makes name stages, never values.
 */
public final class PasswordStages {

    /** Exchange property holding the stages of the password in {@link SecretValueReader#PASSWORD_PROPERTY}. */
    public static final String PROPERTY = "dbPasswordStages";

    /** The order a login tries the stages in. */
    public static final List<String> ORDER = List.of("active", "pending", "previous");

    /** One stage: its name and its value (masked). */
    public record Stage(String name, Secret value) {
        @Override
        public String toString() {
            return name;
        }
    }

    private final String secretId;
    private final List<Stage> stages;
    private final List<String> tried = new ArrayList<>();
    private int next;
    private Stage accepted;
    private String refusal = "";

    private PasswordStages(String secretId, List<Stage> stages) {
        this.secretId = secretId;
        this.stages = List.copyOf(stages);
    }

    /**
     * The stages of {@code valuesByStage} (stage name to clear value; a missing or empty value is no stage) in the
     * order of {@link #ORDER}, each value once. The active value must be there.
     */
    public static PasswordStages of(String secretId, Map<String, String> valuesByStage) {
        String active = valuesByStage.get("active");
        if (active == null || active.isEmpty()) {
            throw new IllegalArgumentException("a password needs an active value");
        }
        List<Stage> stages = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String name : ORDER) {
            String value = valuesByStage.get(name);
            if (value != null && !value.isEmpty() && !values.contains(value)) {
                values.add(value);
                stages.add(new Stage(name, Secret.of(value)));
            }
        }
        return new PasswordStages(Objects.requireNonNullElse(secretId, ""), stages);
    }

    public String secretId() {
        return secretId;
    }

    /** The active value: the one used when nothing says otherwise. */
    public Secret active() {
        return stages.get(0).value();
    }

    /** The names of the stages a login may try, in order. */
    public List<String> names() {
        return stages.stream().map(Stage::name).toList();
    }

    /** True when there is another value than the active one to try. */
    public boolean hasAlternatives() {
        return stages.size() > 1;
    }

    /** A login starts (again: a retried step): every stage is untried, from active on. */
    public void restart() {
        next = 0;
        accepted = null;
        tried.clear();
        refusal = "";
    }

    /** True while no stage was accepted and one is left to try. */
    public boolean untried() {
        return accepted == null && next < stages.size();
    }

    /** The next stage to try (see {@link #untried()}). */
    public Stage tryNext() {
        if (!untried()) {
            throw new IllegalStateException("no stage of the password is left to try");
        }
        Stage stage = stages.get(next++);
        tried.add(stage.name());
        return stage;
    }

    /** The stage tried last was accepted by the database. */
    public void acceptLast() {
        accepted = stages.get(next - 1);
    }

    /** The stage tried last was refused; {@code serverSaid} is the server's words (no value in them). */
    public void refuseLast(String serverSaid) {
        refusal = serverSaid == null ? "" : serverSaid;
    }

    /** The accepted stage's name, or null when none was (yet). */
    public String acceptedName() {
        return accepted == null ? null : accepted.name();
    }

    public List<String> tried() {
        return List.copyOf(tried);
    }

    /** What the server said when it refused the stage tried last ("" when none was refused). */
    public String refusal() {
        return refusal;
    }

    /** {@code text} with every value of every stage masked. */
    public String mask(String text) {
        String result = text;
        for (Stage stage : stages) {
            result = result.replace(stage.value().reveal(), stage.value().toString());
        }
        return result;
    }

    @Override
    public String toString() {
        return "PasswordStages" + names();
    }
}
