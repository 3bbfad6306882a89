package io.pgbackup.settings;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;

/**
 * The environment a command runs with, as {@code PgBackup.run} was given it: the process's (main hands it over), or
 * the one an in-process run stands for. The variables Java reads that are not settings come from here, never from
 * the JVM's own: PATH (to find a client program, and a child's), HOME and the locale (a child's), HOSTNAME (the
 * report's host when the name does not resolve). Settings come through {@code {{env:NAME:default}}}
 * ({@link LiteralEnvironment}, given the same map). CommandMain binds it in the context's registry
 * ({@value #BEAN}); a context without one has an empty environment. Printed as its size only: it holds secrets.
 */
public final class RunEnvironment {

    public static final String BEAN = "runEnvironment";
    private static final RunEnvironment EMPTY = new RunEnvironment(Map.of());

    private final Map<String, String> variables;

    public RunEnvironment(Map<String, String> variables) {
        this.variables = Collections.unmodifiableMap(new HashMap<>(variables));
    }

    /** The environment of the command {@code context} runs (empty when it was given none). */
    public static RunEnvironment of(CamelContext context) {
        RunEnvironment environment = context == null ? null
                : context.getRegistry().lookupByNameAndType(BEAN, RunEnvironment.class);
        return environment == null ? EMPTY : environment;
    }

    /** The variable's value, or null when it is not set. */
    public String get(String name) {
        return variables.get(name);
    }

    public String getOrDefault(String name, String otherwise) {
        return variables.getOrDefault(name, otherwise);
    }

    /** The variables among {@code names} that are set, with their values. */
    public Map<String, String> only(List<String> names) {
        Map<String, String> set = new LinkedHashMap<>();
        for (String name : names) {
            String value = variables.get(name);
            if (value != null) {
                set.put(name, value);
            }
        }
        return set;
    }

    @Override
    public String toString() {
        return "RunEnvironment[" + variables.size() + " variables]";
    }
}
