package io.pgbackup.settings;

import java.util.Set;

/**
 * One setting as application.properties declares it: the line {@code key = {{env:VARIABLE:default}}} and the
 * {@code #@ TYPE | NEEDED BY | HELP} line above it.
 *
 * @param key          the property the routes read ({@code {{db.port}}})
 * @param variable     the environment variable that overrides it ({@code DB_PORT})
 * @param defaultValue the default as written: a value, empty, or another setting's placeholder ({@code {{db.host}}})
 * @param type         what a value must be ({@code int 1..65535}, {@code bool}, {@code url}, ...: {@link SettingType})
 * @param secret       whether the value is a secret (never printed, also not in error messages)
 * @param neededBy     the commands that cannot run while it is empty ({@code all}: every command)
 * @param neededByText the needed-by field as written (it may add a condition in parentheses)
 * @param help         one line for {@code pg-backup help settings} and the README's table
 * @param section      the heading it is declared under ({@code # --- The database ---})
 */
public record Setting(String key, String variable, String defaultValue, SettingType type, boolean secret,
        Set<String> neededBy, String neededByText, String help, String section) {

    /** Whether {@code command} cannot run while this setting is empty. */
    public boolean neededBy(String command) {
        return neededBy.contains("all") || neededBy.contains(command);
    }
}
