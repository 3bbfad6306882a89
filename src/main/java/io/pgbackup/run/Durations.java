package io.pgbackup.run;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write and read them, in one place so that every log line, health message and alert shows them
 * alike: the duration settings (STALE_AFTER, MANAGED_BACKUP_MAX_AGE, ...) are read by {@link #parse}, and every
 * duration shown (how long a run took, how old a backup is, a setting quoted back) is written by {@link #human}.
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([smhd])");

    private Durations() {
    }

    /** "26h", "90m", "2d", "45s" or an ISO-8601 duration such as PT26H; IllegalArgumentException (or a subclass) else. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * The largest unit and the next one, the rest dropped: "3.2s", "45s", "1m02s", "59m", "26h", "26h05m", "7d23h".
     * Under a minute a tenth of a second is shown when there is one (how long a short run took); above it, two units are
     * enough for an age or a run time. The second unit has two digits so that "1m02s" does not read as "1m20s";
     * a zero second unit is left out ("26h", as the setting is written). Negative durations (a clock that stepped
     * back) show as 0s.
     */
    public static String human(Duration d) {
        long millis = Math.max(0, d.toMillis());
        long s = millis / 1000;
        if (s < 60) {
            long tenths = millis % 1000 / 100;
            return tenths == 0 ? s + "s" : s + "." + tenths + "s";
        }
        long m = s / 60;
        if (m < 60) {
            return twoUnits(m, "m", s % 60, "s");
        }
        long h = m / 60;
        if (h < 48) {
            return twoUnits(h, "h", m % 60, "m");
        }
        return twoUnits(h / 24, "d", h % 24, "h");
    }

    private static String twoUnits(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + bigUnit : big + bigUnit + String.format(Locale.ROOT, "%02d", small) + smallUnit;
    }
}
