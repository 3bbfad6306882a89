package io.pgbackup.settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;

/**
 * Every setting, declared once: the application.properties built into the jar, where each setting is
 * <pre>
 * #@ TYPE | NEEDED BY | HELP
 * key = {{env:VARIABLE:default}}
 * </pre>
 * The start-up check ({@link io.pgbackup.SettingsCheck}), {@code pg-backup help settings} and the README's settings
 * table (SettingsDeclarationTest keeps it equal) are made from it, and Java reads a setting only through
 * {@link #value}, which refuses a key that is not declared. The settings file in use (./application.properties, or
 * --config) gives the values; the declaration always comes from the jar, the program's own copy.
 */
public final class SettingsDeclaration {

    /** The commands a needed-by field may name. */
    public static final Set<String> COMMANDS = Set.of("service", "backup", "list", "restore", "verify", "check-managed",
            "prune");

    private static final Pattern SETTING = Pattern.compile("^([A-Za-z][\\w.\\-]*)\\s*=\\s*\\{\\{env:([A-Z0-9_]+):(.*)}}\\s*$");
    private static final Pattern SECTION = Pattern.compile("^# --- (.+?) ---\\s*$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([\\w.\\-]+)}}");

    private static volatile SettingsDeclaration builtIn;

    private final Map<String, Setting> byKey;

    private SettingsDeclaration(Map<String, Setting> byKey) {
        this.byKey = byKey;
    }

    /** The declaration in the jar (read once). */
    public static SettingsDeclaration builtIn() {
        SettingsDeclaration declared = builtIn;
        if (declared == null) {
            try (InputStream in = SettingsDeclaration.class.getResourceAsStream("/application.properties")) {
                if (in == null) {
                    throw new IllegalStateException("application.properties is not on the class path");
                }
                declared = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            builtIn = declared;
        }
        return declared;
    }

    /** Reads a declaration; a setting line without its {@code #@} line above, or a malformed one, is an error. */
    public static SettingsDeclaration parse(String text) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        String section = "";
        String annotation = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            Matcher heading = SECTION.matcher(line);
            if (heading.matches()) {
                section = heading.group(1);
            }
            if (line.startsWith("#@")) {
                annotation = line.substring(2).strip();
                continue;
            }
            Matcher setting = SETTING.matcher(line);
            if (setting.matches()) {
                if (annotation == null) {
                    throw new IllegalArgumentException("application.properties line " + number + ": setting "
                            + setting.group(1) + " has no '#@ TYPE | NEEDED BY | HELP' line above it");
                }
                settings.put(setting.group(1), setting(setting, annotation, section, number));
            }
            if (!line.startsWith("#")) {
                annotation = null;
            }
        }
        return new SettingsDeclaration(java.util.Collections.unmodifiableMap(settings));
    }

    private static Setting setting(Matcher line, String annotation, String section, int number) {
        String[] fields = annotation.split("\\|", -1);
        if (fields.length != 3) {
            throw new IllegalArgumentException("application.properties line " + (number - 1) + ": '#@ " + annotation
                    + "' is not 'TYPE | NEEDED BY | HELP'");
        }
        String typeText = fields[0].strip();
        boolean secret = typeText.equals("secret") || typeText.startsWith("secret ");
        if (secret) {
            typeText = typeText.substring("secret".length());
        }
        String neededText = fields[1].strip();
        Set<String> needed = new LinkedHashSet<>();
        String commands = neededText.replaceAll("\\(.*\\)", "").strip();
        if (!commands.equals("-")) {
            for (String command : commands.split("\\s*,\\s*")) {
                if (!command.equals("all") && !COMMANDS.contains(command)) {
                    throw new IllegalArgumentException("application.properties line " + (number - 1) + ": '" + command
                            + "' is not a command (all, - or some of " + COMMANDS + ")");
                }
                needed.add(command);
            }
        }
        return new Setting(line.group(1), line.group(2), line.group(3), SettingType.parse(typeText), secret,
                Set.copyOf(needed), neededText, fields[2].strip(), section);
    }

    public List<Setting> all() {
        return List.copyOf(byKey.values());
    }

    /** The setting of {@code key}; a key that is not declared is a programming error. */
    public Setting get(String key) {
        Setting setting = byKey.get(key);
        if (setting == null) {
            throw new IllegalArgumentException("'" + key + "' is not a declared setting (application.properties)");
        }
        return setting;
    }

    public boolean declares(String key) {
        return byKey.containsKey(key);
    }

    /** A declared setting's value as the settings file and the environment resolve it, trimmed; empty when unset. */
    public static String value(CamelContext context, String key) {
        builtIn().get(key);
        return context.resolvePropertyPlaceholders("{{" + key + ":}}").trim();
    }

    /** The default as a user reads it: the value, another setting's variable, or "—" for none. */
    public String defaultShown(Setting setting) {
        String value = setting.defaultValue();
        Matcher other = PLACEHOLDER.matcher(value);
        if (other.matches() && byKey.containsKey(other.group(1))) {
            return "`" + byKey.get(other.group(1)).variable() + "`";
        }
        return value.isEmpty() ? "—" : "`" + value + "`";
    }

    /** The README's settings table: one row a setting, in declaration order. */
    public String markdownTable() {
        StringBuilder table = new StringBuilder("| variable | default | allowed | needed by | meaning |\n|---|---|---|---|---|\n");
        for (Setting setting : byKey.values()) {
            table.append("| `").append(setting.variable()).append("` | ").append(defaultShown(setting)).append(" | ")
                    .append(allowed(setting))
                    .append(" | ").append(setting.neededByText().equals("-") ? "—" : setting.neededByText().equals("all") ? "every command"
                            : setting.neededByText())
                    .append(" | ").append(setting.help()).append(" |\n");
        }
        return table.toString();
    }

    /** What a value may be, in words: "1–65535", "secret", "secret: http(s) URL". */
    private static String allowed(Setting setting) {
        String type = setting.type().describe();
        if (!setting.secret()) {
            return type;
        }
        return setting.type().kind().equals("text") ? "secret" : "secret: " + type;
    }

    /** {@code pg-backup help settings}: the settings by section, each with its default, what it allows and its help. */
    public String helpText() {
        StringBuilder text = new StringBuilder("settings (environment variables; or the same key in the settings file):\n");
        String section = null;
        for (Setting setting : byKey.values()) {
            if (!setting.section().equals(section)) {
                section = setting.section();
                text.append('\n').append(section).append('\n');
            }
            String shown = defaultShown(setting).replace("`", "");
            text.append("  ").append(setting.variable()).append(" = ").append(shown.equals("—") ? "(empty)" : shown)
                    .append("   [").append(allowed(setting))
                    .append(setting.neededBy().isEmpty() ? "" : setting.neededBy().contains("all") ? "; required"
                            : "; required by " + setting.neededByText()).append("]\n")
                    .append("      ").append(setting.help()).append('\n');
        }
        return text.toString();
    }

    /** The keys of the placeholders in {@code text} ({@code {{db.host}}}, {@code {{db.host:}}}), for the tests. */
    public static List<String> placeholders(String text) {
        List<String> keys = new ArrayList<>();
        Matcher matcher = Pattern.compile("\\{\\{(?!env:)([\\w.\\-]+)(?::[^}]*)?}}").matcher(text);
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        return keys;
    }

}
