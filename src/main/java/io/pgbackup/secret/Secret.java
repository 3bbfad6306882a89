package io.pgbackup.secret;

import java.util.Objects;

/**
 * A password or key that must never be printed. Its {@code toString()} is a mask, so an exchange property
 * holding one is safe in any log line, exception text or notification that formats it.
 */
public final class Secret {

    private static final String MASK = "******";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The clear value: hand it only to the place that needs it (a child's environment, an HMAC). */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
