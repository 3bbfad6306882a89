package io.pgbackup.report;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.regex.Pattern;

import io.pgbackup.exec.CommandFailedException;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.http.base.HttpOperationFailedException;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Decides which failures are worth another try (the dead-letter channel's {@code retryWhile}): connection refused,
 * timeouts, HTTP 5xx, S3 503/SlowDown, and a database that is down or restarting. Wrong credentials, a missing
 * database or bucket, a malformed answer or a dump that ran into its timeout are not retried: trying again would
 * only delay the alarm.
 */
public class FailureClassifier implements Predicate {

    /** pg_dump / psql messages that mean "the server could not be reached right now". */
    private static final Pattern TRANSIENT_DATABASE = Pattern.compile(
            "connection refused|could not connect to server|timeout expired|server closed the connection unexpectedly"
                    + "|the database system is (starting up|shutting down|in recovery mode)|too many clients"
                    + "|no route to host|network is unreachable|could not translate host name");

    private int maxRetries;

    /** True while the failure is transient and fewer than {@code maxRetries} retries were made. */
    @Override
    public boolean matches(Exchange exchange) {
        int retriesDone = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        Throwable failure = exchange.getException();
        if (failure == null) {
            failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        }
        // Camel counts the failed delivery before asking: 1 after the first failure
        return retriesDone <= maxRetries && isTransient(failure);
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CommandFailedException command) {
                return !command.isTimedOut()
                        && TRANSIENT_DATABASE.matcher(command.getStderrTail().toLowerCase(Locale.ROOT)).find();
            }
            if (t instanceof HttpOperationFailedException http) {
                return http.getStatusCode() >= 500;
            }
            if (t instanceof S3Exception s3) {
                String code = s3.awsErrorDetails() == null ? "" : String.valueOf(s3.awsErrorDetails().errorCode());
                return s3.statusCode() >= 500 || "SlowDown".equals(code);
            }
            if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                    || t instanceof NoRouteToHostException
                    || t instanceof SocketException && String.valueOf(t.getMessage()).contains("reset")
                    || t instanceof org.apache.hc.core5.http.NoHttpResponseException
                    || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
                return true;
            }
        }
        // the AWS SDK wraps I/O errors without an HTTP status ("Unable to execute HTTP request")
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SdkClientException && t.getCause() instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }
}
