package io.pgbackup.storage;

import org.apache.camel.CamelContext;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Object Storage client the Java helpers share with the routes: the client of the one aws2-s3 endpoint whose URI
 * is declared in beans.yaml (bucket, part size; endpoint override, region, path style and keys come from the
 * aws2-s3 component settings in application.properties). Routes that call the same URI get the same endpoint.
 */
public class ObjectStorage {

    private String endpointUri = "";

    public S3Client client(CamelContext context) {
        return endpoint(context).getS3Client();
    }

    public String bucket(CamelContext context) {
        return endpoint(context).getConfiguration().getBucketName();
    }

    public AWS2S3Endpoint endpoint(CamelContext context) {
        return context.getEndpoint(endpointUri, AWS2S3Endpoint.class);
    }

    public void setEndpointUri(String endpointUri) {
        this.endpointUri = endpointUri;
    }
}
