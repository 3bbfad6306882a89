package io.pgbackup.settings;

import org.apache.camel.spi.PropertiesFunction;

/**
 * The {@code {{env:NAME:default}}} of application.properties, with the variable's value taken as data. Camel's own
 * env function hands its result back to the placeholder parser, which resolves any {@code {{...}}} inside it: a
 * database named {@code {{db.user}}} in DB_NAME became the login's name, a password holding {@code {{x}}} another
 * setting's value. Here the value comes back with its {@code {{} and {@code }}} escaped ({@code \{{}, {@code \}}}),
 * which the parser turns back into themselves and never resolves. A default (after the second colon) is a setting
 * of the declaration, resolved as before. Installed by PgBackup before any setting is read; {@link #escape} also
 * keeps the values a command puts over a setting (restore --database) literal.
 */
public final class LiteralEnvironment implements PropertiesFunction {

    /** The environment the variables are read from: the process's, or the one a command was run with in-process. */
    private final java.util.Map<String, String> environment;

    public LiteralEnvironment() {
        this(System.getenv());
    }

    public LiteralEnvironment(java.util.Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String getName() {
        return "env";
    }

    @Override
    public String apply(String remainder) {
        int colon = remainder.indexOf(':');
        String name = colon < 0 ? remainder : remainder.substring(0, colon);
        String value = environment.get(name.strip());
        if (value != null) {
            return escape(value);
        }
        return colon < 0 ? null : remainder.substring(colon + 1);
    }

    /** {@code value} as a property value that the placeholder parser leaves as it is. */
    public static String escape(String value) {
        return value.replace("{{", "\\{{").replace("}}", "\\}}");
    }
}
