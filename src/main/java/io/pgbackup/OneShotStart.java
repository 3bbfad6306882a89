package io.pgbackup;

import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a one-shot command (list, backup, restore, ...) does differently at start from the service, to start sooner
 * with the same behaviour (docs/benchmarks.md, "Start-up"):
 * <ul>
 * <li>the beans of the route files (routes/beans.yaml, and any in a user's ROUTES_DIR) are made on their first
 * lookup instead of all at start: {@code list} needs a few of about fifty. A bean a route names is still there when
 * the route asks for it. (Their settings are checked before, by {@link SettingsCheck}, so a bad one still stops the
 * command at start.) {@code copyStore} is made at once: it binds the copy's client that {@code copy.to.uri} names.</li>
 * <li>the store's client (the AWS SDK's HTTP client, and the bucket check the aws2-s3 endpoint makes when it starts)
 * is made on a second thread from the moment camel-main has configured the components, while Camel reads the route
 * files and makes the routes; Camel's start waits for it. A failure there leaves nothing behind: the endpoint is made
 * again where it is used, and meets and reports the failure as before; a start that fails before that stops the
 * context ({@link CommandRun}), which stops the thread's endpoint.</li>
 * </ul>
 * The service, and the training run of the start-up cache (which should load what every bean loads), make every bean
 * at start as before.
 */
final class OneShotStart extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger("pg-backup");

    private OneShotStart() {
    }

    /** The start of {@code command}: a listener to add to its camel-main, or null for the service and training run. */
    static OneShotStart of(String command, boolean everyRoute) {
        return command.equals("service") || everyRoute ? null : new OneShotStart();
    }

    @Override
    public void beforeConfigure(BaseMainSupport configuring) {
        LazyYamlBeans.bind(configuring.getCamelContext());
    }

    @Override
    public void afterConfigure(BaseMainSupport configured) {
        configured.getCamelContext().getRegistry().lookupByName("copyStore");
    }

    /**
     * Called once camel-main has configured the components (camel.component.aws2-s3.*: the endpoint override, the
     * keys) and before it reads the route files: the store's endpoint is made from here on, on its own thread.
     */
    void componentsConfigured(CamelContext context) {
        String uri = storeUri(context);
        if (uri != null) {
            StoreWarmUp warmUp = new StoreWarmUp(context, uri);
            try {
                context.addService(warmUp, true, false);
            } catch (Exception e) {
                throw new IllegalStateException("cannot add the store's warm-up to Camel", e);
            }
            warmUp.thread.start();
        }
    }

    /**
     * The second thread that makes the store's endpoint, as a service of the Camel context: started with the
     * context's services (after the routes are made), it waits for the thread and gives the context the endpoint;
     * stopped with the context, it closes an endpoint it did not give (a start that failed half-way).
     */
    private static final class StoreWarmUp extends ServiceSupport {
        private final CamelContext context;
        private final String uri;
        private final Thread thread;
        private volatile Endpoint endpoint;
        private boolean handedOver;

        StoreWarmUp(CamelContext context, String uri) {
            this.context = context;
            this.uri = uri;
            this.thread = new Thread(() -> endpoint = startEndpoint(context, uri), "pg-backup-store-warm-up");
            thread.setDaemon(true);
        }

        @Override
        protected void doStart() throws Exception {
            thread.join();
            if (endpoint != null) {
                // the context's own from now on: found by the store's lookups, stopped with the context
                context.addEndpoint(uri, endpoint);
                handedOver = true;
            }
        }

        @Override
        protected void doStop() throws Exception {
            thread.join();
            if (!handedOver) {
                ServiceHelper.stopAndShutdownService(endpoint);
            }
        }
    }

    /** The primary store's endpoint URI when the command reads the primary store, else null. */
    private static String storeUri(CamelContext context) {
        try {
            if ("copy".equals(context.resolvePropertyPlaceholders("{{storage.from:primary}}").strip())
                    || SettingsDeclaration.value(context, "object.storage.access.key").isEmpty()
                    || SettingsDeclaration.value(context, "object.storage.secretKey").isEmpty()) {
                return null; // the copy store's client is made where it is used; so is one without keys (the SDK
                             // would look for credentials elsewhere, the instance's metadata service among them)
            }
            return context.resolvePropertyPlaceholders("{{object.storage.uri}}");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The store's endpoint made and started (its client built, the bucket checked) outside the context, which is
     * given it only once it started well; null when that failed (the failure is met again, and reported, where the
     * endpoint is first used, as without this).
     */
    private static Endpoint startEndpoint(CamelContext context, String uri) {
        Endpoint endpoint = null;
        try {
            endpoint = context.getComponent("aws2-s3").createEndpoint(uri);
            ServiceHelper.startService(endpoint);
            return endpoint;
        } catch (Exception | LinkageError e) {
            LOG.debug("the store's client is made where it is first used ({})", e.getClass().getSimpleName());
            ServiceHelper.stopAndShutdownService(endpoint);
            return null;
        }
    }
}
