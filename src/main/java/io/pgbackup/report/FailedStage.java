package io.pgbackup.report;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Which stage a failure happened in, as Camel saw it: a stage is a route's {@code group} (routes/*.yaml:
 * {@code group: dump}), and when an exchange leaves a grouped route with an exception, the group is recorded with
 * that exception. Routes call each other (backup-database → store-backup → dump), so the innermost grouped route
 * that failed names the stage; the routes it returns through see the same exception and leave the record alone.
 * Helper routes shared by several stages (psql-query, list-backups, open-backup) have no group: their failure
 * belongs to the stage that called them. No route sets a stage by hand before each step.
 */
public final class FailedStage extends RoutePolicySupport implements RoutePolicyFactory {

    /** Exchange property: the stage of the recorded failure. */
    static final String STAGE = "failedInStage";
    /** Exchange property: the failure it was recorded for (the same object the dead letter channel catches). */
    static final String FAILURE = "failedInStageFailure";

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return this;
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        Throwable failure = exchange.getException();
        String group = route.getGroup();
        if (failure == null || group == null || group.isBlank() || exchange.getProperty(FAILURE) == failure) {
            return;
        }
        exchange.setProperty(STAGE, group);
        exchange.setProperty(FAILURE, failure);
    }

    /** The stage {@code failure} was recorded in, or null when it did not happen inside a grouped route. */
    static String of(Exchange exchange, Throwable failure) {
        return failure != null && exchange.getProperty(FAILURE) == failure ? exchange.getProperty(STAGE, String.class) : null;
    }
}
