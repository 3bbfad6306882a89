package io.pgbackup.storage;

import java.util.List;

import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;

/**
 * A per-request SDK plugin: send the payload as a plain body with Content-Length, never "aws-chunked" (the SDK's
 * default over plain HTTP, with a signature every 128 KiB). Over HTTPS (NCP) the payload goes unsigned, as the SDK
 * does by default (TLS and the part's Content-MD5 protect it); over plain HTTP its SHA-256 is in the signature. S3-compatible stores decode aws-chunked slowly or not at all (measured with S3Proxy: 4 MiB/s against
 * several times that for plain bodies). Only for bodies the SDK can read twice (once to hash, once to send): the
 * part buffers of {@link StreamingUpload}.
 */
final class PlainSignedPayload implements SdkPlugin {

    static final PlainSignedPayload INSTANCE = new PlainSignedPayload();

    private PlainSignedPayload() {
    }

    @Override
    public void configureClient(SdkServiceClientConfiguration.Builder config) {
        if (!(config instanceof S3ServiceClientConfiguration.Builder s3)) {
            return;
        }
        S3AuthSchemeProvider resolved = s3.authSchemeProvider();
        s3.authSchemeProvider(parameters -> plain(resolved.resolveAuthScheme(parameters)));
    }

    private static List<AuthSchemeOption> plain(List<AuthSchemeOption> options) {
        return options.stream().map(option -> option.toBuilder()
                .putSignerProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, false)
                .build()).toList();
    }
}
