package io.pgbackup.logging;

import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * pg-backup's logging, set up in code at start (logback reads it through {@code META-INF/services}): reading an XML
 * configuration cost about 0.1–0.2 s of every command's start. Logs go to stderr, so stdout carries only a command's
 * output ({@code list}). {@code LOG_LEVEL} sets pg-backup's level (INFO), {@code CAMEL_LOG_LEVEL} Camel's (WARN), read
 * from the environment {@code PgBackup.run} is given ({@link #useEnvironment}: logback starts before it is known).
 * The loggers that would print secrets (response bodies, request URLs holding a webhook's token, resolved settings)
 * are capped whatever level is asked.
 *
 * <p>A configuration of one's own still wins: {@code -Dlogback.configurationFile=FILE} (in PG_BACKUP_JAVA_OPTS), or a
 * {@code logback-test.xml} on the class path (the tests).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public class LogConfiguration extends ContextAwareBase implements Configurator {

    /** Capped loggers: at DEBUG they print what must never reach a log. */
    private static final Map<String, Level> CAPS = Map.ofEntries(
            // HTTP wire logs print response bodies, and Secret Manager's body holds the password
            Map.entry("org.apache.hc.client5.http.wire", Level.OFF),
            Map.entry("org.apache.http.wire", Level.OFF),
            // resolved property values, secrets included
            Map.entry("org.apache.camel.component.properties", Level.INFO),
            Map.entry("org.apache.camel.impl.engine.DefaultCamelContextExtension", Level.INFO),
            Map.entry("org.apache.camel.support.PropertyBindingSupport", Level.INFO),
            // request URLs and request lines: a Slack webhook URL's path is its secret
            Map.entry("org.apache.camel.component.http", Level.INFO),
            Map.entry("org.apache.hc.client5.http.headers", Level.OFF),
            Map.entry("org.apache.hc.client5.http.impl", Level.INFO),
            // chatty libraries
            Map.entry("org.quartz", Level.WARN),
            Map.entry("software.amazon.awssdk", Level.WARN),
            Map.entry("org.apache.http", Level.WARN));

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || getClass().getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%logger{0}] %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(stderr);
        levels(Map.of()).forEach((name, level) -> context.getLogger(name).setLevel(level));
        configured = context;
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The context this configuration set up (null when another one won: a file of one's own, the tests'). */
    private static volatile LoggerContext configured;

    /** The levels of {@code env}'s LOG_LEVEL and CAMEL_LOG_LEVEL, for the command about to run (PgBackup.run). */
    public static void useEnvironment(Map<String, String> env) {
        org.slf4j.LoggerFactory.getILoggerFactory(); // logback sets itself up first (configure), if it has not yet
        LoggerContext context = configured;
        if (context != null) {
            levels(env).forEach((name, level) -> context.getLogger(name).setLevel(level));
        }
    }

    /** Logger name to level, the root's included, as {@code env}'s LOG_LEVEL and CAMEL_LOG_LEVEL set them, capped. */
    public static Map<String, Level> levels(Map<String, String> env) {
        Level level = level(env.get("LOG_LEVEL"), Level.INFO);
        Map<String, Level> levels = new java.util.LinkedHashMap<>();
        levels.put(org.slf4j.Logger.ROOT_LOGGER_NAME, level);
        levels.put("io.pgbackup", level);
        levels.put("pg-backup", level);
        levels.put("org.apache.camel", level(env.get("CAMEL_LOG_LEVEL"), Level.WARN));
        levels.putAll(CAPS);
        return levels;
    }

    /** The level a variable's value names (any case), else the default (as logback read ${NAME:-default}). */
    static Level level(String value, Level otherwise) {
        return value == null || value.isBlank() ? otherwise : Level.toLevel(value.strip(), otherwise);
    }
}
