package io.pgbackup.storage;

import io.pgbackup.support.S3Server;

import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * S3Proxy ({@link S3Server}) with one bucket, and a Camel context whose aws2-s3 component points at it the way
 * application.properties points it at the real store (endpoint override, region, keys, path style): the port to the
 * store is wired to it as routes/beans.yaml wires it ({@link #store}).
 */
final class StoreUnderTest implements AutoCloseable {

    final S3Server server;
    final DefaultCamelContext context = new DefaultCamelContext();
    private final String bucket;

    StoreUnderTest(String bucket) throws Exception {
        // as PgBackup.main sets them: S3Proxy refuses the SDK's default trailing checksums
        System.setProperty("aws.requestChecksumCalculation", "when_required");
        System.setProperty("aws.responseChecksumValidation", "when_required");
        this.bucket = bucket;
        server = new S3Server();
        server.createBucket(bucket);
        AWS2S3Component component = new AWS2S3Component();
        component.getConfiguration().setOverrideEndpoint(true);
        component.getConfiguration().setUriEndpointOverride(server.endpoint());
        component.getConfiguration().setRegion(S3Server.REGION);
        component.getConfiguration().setAccessKey(S3Server.ACCESS_KEY);
        component.getConfiguration().setSecretKey(S3Server.SECRET_KEY);
        component.getConfiguration().setForcePathStyle(true);
        context.addComponent("aws2-s3", component);
        context.start();
    }

    /** The port over the bucket's endpoint, {@code options} (e.g. {@code ?partSize=...}) added to its URI. */
    ObjectStore store(String options) {
        ObjectStore store = new ObjectStore();
        store.setCamelContext(context);
        store.setEndpointUri("aws2-s3://" + bucket + options);
        return store;
    }

    @Override
    public void close() throws Exception {
        try {
            context.stop();
        } finally {
            server.close();
        }
    }
}
