package io.pgbackup.storage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgbackup.secret.SecretManagerException;
import io.pgbackup.secret.SecretValueReader;
import io.pgbackup.settings.SettingsDeclaration;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.client.AWS2S3ClientFactory;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * The second destination (COPY_TO_*): its bucket, key prefix and S3 client. The client is registered as
 * {@value #CLIENT_BEAN}, which the copy's aws2-s3 endpoint ({@code copy.to.uri}) uses instead of the
 * component's settings (those are the primary store's). It is built on its first call, with COPY_TO_ACCESS_KEY and
 * COPY_TO_SECRET_KEY, or with the keys of the Secret Manager secret COPY_TO_SECRET_ID (read then, through the route
 * {@code secret-value}, once): the keys are never in an endpoint URI, a log or an exception text.
 */
public class CopyStore implements CamelContextAware {

    /** The registry name of the copy's client: copy.to.uri says amazonS3Client=#copyS3Client. */
    public static final String CLIENT_BEAN = "copyS3Client";

    private CamelContext context;
    private volatile S3Client client;
    private final S3Client proxy = newProxy();

    /** Whether a copy is configured (COPY_TO_BUCKET set). */
    public boolean isOn() {
        return !value("copy.to.bucket").isEmpty();
    }

    /** Whether a copy is configured and the command works on the primary store (not --from copy). */
    public boolean isOnBesidePrimary() {
        return isOn() && !"copy".equals(context.resolvePropertyPlaceholders("{{storage.from:}}").trim());
    }

    public String bucket() {
        return value("copy.to.bucket");
    }

    public boolean isRequired() {
        return !"false".equals(value("copy.to.required"));
    }

    /** The copy's key of the primary's {@code key}: COPY_TO_PREFIX in place of BACKUP_PREFIX. */
    public String keyOf(String key) {
        String primaryPrefix = value("backup.prefix");
        String rest = key.startsWith(primaryPrefix) ? key.substring(primaryPrefix.length()) : key;
        return value("copy.to.prefix") + rest;
    }

    /** Where the copy goes, for messages: bucket and endpoint (never a key). */
    public String describe() {
        return "the copy store (COPY_TO_BUCKET " + bucket() + " at " + value("copy.to.endpoint") + ")";
    }

    /** The client: a stand-in that builds the real one on its first call. */
    private S3Client client() {
        return proxy;
    }

    private S3Client newProxy() {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "toString":
                    return "S3Client of the copy store";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "close":
                    S3Client built = client;
                    if (built != null) {
                        built.close();
                    }
                    return null;
                default:
                    try {
                        return method.invoke(real(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        };
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, handler);
    }

    private S3Client real() {
        S3Client built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = build();
                    client = built;
                }
            }
        }
        return built;
    }

    private S3Client build() {
        String accessKey = value("copy.to.access.key");
        String secretKey = value("copy.to.secretKey");
        String secretId = value("copy.to.secret.id");
        if (!secretId.isEmpty()) {
            JsonNode keys = readSecret(secretId);
            if (keys.hasNonNull("accessKey")) {
                accessKey = keys.get("accessKey").asText();
            }
            secretKey = keys.path("secretKey").asText("");
            if (secretKey.isEmpty() || accessKey.isEmpty()) {
                throw new SecretManagerException("the active value of the secret COPY_TO_SECRET_ID has no "
                        + (secretKey.isEmpty() ? "'secretKey'" : "'accessKey' (nor is COPY_TO_ACCESS_KEY set)"));
            }
        }
        AWS2S3Configuration configuration = new AWS2S3Configuration();
        configuration.setBucketName(bucket());
        configuration.setAccessKey(accessKey);
        configuration.setSecretKey(secretKey);
        configuration.setRegion(value("copy.to.region"));
        configuration.setOverrideEndpoint(true);
        configuration.setUriEndpointOverride(value("copy.to.endpoint"));
        configuration.setForcePathStyle(true);
        return AWS2S3ClientFactory.getS3Client(configuration);
    }

    /** The active value of Secret Manager's secret {@code id}, through the route the other secrets take. */
    private JsonNode readSecret(String id) {
        Exchange answer;
        try (org.apache.camel.ProducerTemplate template = context.createProducerTemplate()) {
            answer = template.send("direct:secret-value", e -> e.setProperty("secretId", id));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (answer.getException() != null) {
            throw new SecretManagerException("could not read COPY_TO_SECRET_ID from Secret Manager: "
                    + io.pgbackup.run.Failures.oneLine(answer.getException()));
        }
        try (java.io.InputStream body = answer.getMessage().getBody(java.io.InputStream.class)) {
            if (body == null) {
                throw new SecretManagerException("Secret Manager sent no value for COPY_TO_SECRET_ID");
            }
            return SecretValueReader.activeDocument(body);
        } catch (java.io.IOException e) {
            throw new SecretManagerException("could not read COPY_TO_SECRET_ID's value from Secret Manager");
        } finally {
            answer.getMessage().setBody(null);
        }
    }

    private String value(String key) {
        return SettingsDeclaration.value(context, key);
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
        context.getRegistry().bind(CLIENT_BEAN, S3Client.class, client());
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }
}
