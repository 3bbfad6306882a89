package io.pgbackup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.pgbackup.cli.CommandLine;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.apache.camel.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Timeout;

/**
 * A route test of the real app under Camel's own test support: {@code @CamelMainTest} makes a fresh context for every
 * test from application.properties, routes/beans.yaml and the route files of the command, configured as the
 * command configures its own ({@link CommandMain#configure}: every setting checked, derived settings, the command's
 * routes only); a test class replaces beans with {@code @ReplaceInRegistry} fields (declared of the bean's own type:
 * the registry keeps a bean by name and type, so another type would sit beside the app's bean instead of replacing
 * it; routes look beans up when they start, so a replaced bean is the one they call, while beans.yaml's own beans
 * keep what they were given) and advises the routes by id
 * ({@link #stub}, {@link #advise}) before it sends. Settings: the route tests' defaults ({@link #defaults}: no server
 * is contacted) under the class's own settings (its constructor's), under {@code @CamelMainTest(properties = ...)} of the class
 * or of a {@code @Nested} class (a case that needs other settings). Seconds a test; the end-to-end tests prove the stages
 * against real servers.
 */
@CamelMainTest
@Timeout(60)
abstract class AppRouteTest {

    /** A step that runs in place of a stubbed endpoint. */
    interface Step {
        void run(Exchange exchange) throws Exception;
    }

    /** The stubbed endpoints in the order they were called. */
    protected final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** The context the test support made for this test. */
    @BeanInject
    protected CamelContext context;

    private final String command;
    private final Map<String, String> settings;

    /**
     * A test of the routes {@code command} makes (list, backup, verify, restore, prune, check-managed), with
     * {@code settings} (application.properties keys) over {@link #defaults}.
     */
    protected AppRouteTest(String command, Map<String, String> settings) {
        this.command = command;
        this.settings = settings;
    }

    protected AppRouteTest(String command) {
        this(command, Map.of());
    }

    /**
     * Enough for the start-up check of any command: no server is contacted, and /bin/true stands in for every client
     * program (the command's environment, where a program named without a folder is looked for, is empty here).
     */
    static Map<String, String> defaults() {
        Map<String, String> defaults = new HashMap<>(Map.of("db.password", "route-test-password", "db.name", "shop",
                "bucket.name", "route-test", "object.storage.endpoint", "http://127.0.0.1:9",
                "pg.dump.path", "/bin/true", "psql.path", "/bin/true",
                // /bin/true stands in for psql: it has no restricted mode
                "psql.allow.unrestricted", "true", "retry.max", "0", "backup.schedule.enabled", "false"));
        defaults.put("pg.restore.path", "/bin/true");
        defaults.put("pg.dumpall.path", "/bin/true");
        return defaults;
    }

    /**
     * Camel's test support calls this before it makes the context: the app's own configuration, as the seam. In a
     * {@code @Nested} class the innermost instance's settings and command win (it is called last).
     */
    @Configure
    protected void configureApp(MainConfigurationProperties camel) {
        Map<String, String> settings = defaults();
        settings.putAll(this.settings);
        camel.getConfigurations().removeIf(AppConfiguration.class::isInstance);
        camel.addConfiguration(new AppConfiguration(camel, command, settings));
    }

    /** The command's configuration of a context made by the test support ({@link CommandMain#configure}). */
    private record AppConfiguration(MainConfigurationProperties camel, String command, Map<String, String> settings)
            implements CamelConfiguration {

        @Override
        public void configure(CamelContext made) {
            made.getPropertiesComponent().setLocation("classpath:application.properties");
            // a test class's @CamelMainTest(properties = ...) (a @Nested class's too) over the class's settings and defaults()
            Properties given = ((org.apache.camel.component.properties.PropertiesComponent) made
                    .getPropertiesComponent()).getOverrideProperties();
            settings.forEach((key, value) -> {
                if (given == null || given.getProperty(key) == null) {
                    made.getPropertiesComponent().addOverrideProperty(key, value);
                }
            });
            made.getPropertiesComponent().addOverrideProperty("storage.from", "primary");
            CommandMain.configure(made, camel, command,
                    CommandRoutes.read(CommandLine.parse(new String[] {command}), Map.of(), false), Map.of());
        }
    }

    /** Advises route {@code routeId} (its id in routes/*.yaml). */
    protected void advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        AdviceWith.adviceWith(context, routeId, advice);
    }

    /**
     * Route {@code routeId}'s sends to {@code uri} ({@code to: direct:notify}) go to {@code mock:<uri>} instead, after
     * {@code step} (which may throw, to fail that stage); each call is recorded in {@link #calls}.
     */
    protected void stub(String routeId, String uri, Step step) throws Exception {
        advise(routeId, route -> stubIn(route, uri, step));
    }

    /** Route {@code routeId}'s sends to each of {@code uris} do nothing but go to their mock endpoints. */
    protected void stub(String routeId, String... uris) throws Exception {
        advise(routeId, route -> {
            for (String uri : uris) {
                stubIn(route, uri, exchange -> { });
            }
        });
    }

    /**
     * Stubs, route by route, every URI listed for it: each runs its step of {@code steps} (by URI; none: it does
     * nothing) and goes to its mock endpoint.
     */
    protected void stubAll(Map<String, List<String>> urisByRoute, Map<String, Step> steps) throws Exception {
        for (Map.Entry<String, List<String>> route : urisByRoute.entrySet()) {
            advise(route.getKey(), advice -> {
                for (String uri : route.getValue()) {
                    stubIn(advice, uri, steps.getOrDefault(uri, exchange -> { }));
                }
            });
        }
    }

    /** The same as {@link #stub} inside an advice that does more. */
    protected void stubIn(AdviceWithRouteBuilder route, String uri, Step step) {
        route.weaveByToUri(uri).replace().process(exchange -> {
            calls.add(uri);
            step.run(exchange);
        }).to(mockUri(uri));
    }

    /** The mock endpoint a stubbed {@code uri} sends to. */
    protected MockEndpoint mock(String uri) {
        return context.getEndpoint(mockUri(uri), MockEndpoint.class);
    }

    private static String mockUri(String uri) {
        return "mock:" + uri.replace(':', '-');
    }

    /** Sends one exchange with these properties to {@code uri}, as the command line does. */
    protected Exchange send(String uri, Map<String, Object> properties) {
        try (ProducerTemplate template = context.createProducerTemplate()) {
            return template.send(uri, exchange -> properties.forEach(exchange::setProperty));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bean of routes/beans.yaml as the app made it. */
    protected <T> T bean(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }
}
