package io.pgbackup;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pgbackup.cli.CommandLine;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * The real app (routes/*.yaml, application.properties, routes/beans.yaml, the start-up check) started in this JVM as
 * a command would start it, with the stages that talk to servers replaced: a route test checks the routes' own logic
 * (order, branches, the dead letter) in about a second, beside the end-to-end tests that run the jar against real
 * servers.
 * <p>
 * {@link #stub} replaces every call to an endpoint ({@code direct:store-backup}) from the routes named in
 * {@link #advising}: the call is recorded in {@link #calls} and runs the given step instead (which may throw, to fail
 * that stage); {@link #stubBean} does the same for the steps that call a bean.
 */
final class RoutesUnderTest implements AutoCloseable {

    /** A step that runs in place of a stubbed endpoint. */
    interface Step {
        void run(Exchange exchange) throws Exception;
    }

    private final Map<String, String> settings = new HashMap<>();
    private final Map<String, Step> stubs = new LinkedHashMap<>();
    private final Map<String, Step> beanStubs = new LinkedHashMap<>();
    private final List<String> advised = new ArrayList<>();
    /** The stubbed endpoints in the order they were called. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private Main main;

    RoutesUnderTest() {
        settings.putAll(defaults());
    }

    /** Enough for the start-up check of a backup: no server is contacted. */
    static Map<String, String> defaults() {
        Map<String, String> settings = new HashMap<>();
        settings.put("db.password", "route-test-password");
        settings.put("db.name", "shop");
        settings.put("bucket.name", "route-test");
        settings.put("object.storage.endpoint", "http://127.0.0.1:9");
        settings.put("pg.dump.path", "/bin/true");
        settings.put("psql.path", "/bin/true");
        settings.put("psql.allow.unrestricted", "true"); // /bin/true stands in for psql: it has no restricted mode
        settings.put("retry.max", "0");
        settings.put("backup.schedule.enabled", "false");
        return settings;
    }

    RoutesUnderTest set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    RoutesUnderTest advising(String... routeIds) {
        advised.addAll(List.of(routeIds));
        return this;
    }

    RoutesUnderTest stub(String endpoint, Step step) {
        stubs.put(endpoint, step);
        return this;
    }

    RoutesUnderTest stub(String endpoint) {
        return stub(endpoint, exchange -> { });
    }

    /** Replaces the steps that call bean {@code name} (routes/beans.yaml) in the advised routes. */
    RoutesUnderTest stubBean(String name, Step step) {
        beanStubs.put(name, step);
        return this;
    }

    /** Starts the app for {@code command} (its settings checked as the command would check them). */
    RoutesUnderTest start(String command) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        main = new PgBackup(Map.of(), quiet, quiet, settings).newMain(CommandLine.parse(new String[] {command}));
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                CamelContext context = configured.getCamelContext();
                java.util.Set<String> beansFound = new java.util.HashSet<>();
                try {
                    for (String routeId : advised) {
                        AdviceWith.adviceWith(context, routeId, route -> {
                            stubs.forEach((endpoint, step) -> route.interceptSendToEndpoint(endpoint)
                                    .skipSendToOriginalEndpoint().process(exchange -> {
                                        calls.add(endpoint);
                                        step.run(exchange);
                                    }));
                            org.apache.camel.model.RouteDefinition definition = route.getOriginalRoute();
                            beanStubs.forEach((name, step) -> {
                                boolean calls = definition.toString().contains("ref:" + name + " ")
                                        || definition.toString().contains("ref:" + name + "]");
                                if (calls) {
                                    beansFound.add(name);
                                    route.weaveByToString(".*Bean\\[ref:" + name + "[ \\]].*").replace()
                                            .process(exchange -> step.run(exchange));
                                }
                            });
                        });
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (!beansFound.containsAll(beanStubs.keySet())) {
                    throw new IllegalStateException("no advised route calls bean(s) " + beanStubs.keySet());
                }
            }
        });
        main.start();
        return this;
    }

    /** Sends one exchange with these properties to {@code uri}, as the command line does. */
    Exchange send(String uri, Map<String, Object> properties) {
        try (ProducerTemplate template = main.getCamelContext().createProducerTemplate()) {
            return template.send(uri, exchange -> properties.forEach(exchange::setProperty));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() throws Exception {
        if (main != null) {
            main.stop();
        }
    }
}
