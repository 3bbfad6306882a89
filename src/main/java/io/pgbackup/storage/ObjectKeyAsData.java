package io.pgbackup.storage;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.LanguageSupport;

/**
 * camel-aws2-s3's producer evaluates the object key (header CamelAwsS3Key) as a Simple expression when it holds
 * {@code ${...}} (AWS2S3Utils.determineKey): the manifest of a database named {@code ${env:HOME}} was written under
 * the home folder's name, and a key written into the bucket by someone else ({@code ...${bean:...}...}) would be run
 * by the next retention or restore. Before every send to an aws2-s3 endpoint (failures.yaml, route configuration
 * "stage") such a key is moved into an exchange property and the header becomes the one expression that reads that
 * property back, whose result Simple does not evaluate again; after the send the header is the key again.
 */
public class ObjectKeyAsData {

    public static final String KEY = "CamelAwsS3Key";
    /** Exchange property: the key as it is, while the header holds the expression that reads it. */
    static final String HELD = "pgBackupObjectKey";
    static final String READ_HELD = "${exchangeProperty." + HELD + "}";

    /** Before the send. */
    public void protect(Exchange exchange) {
        Message message = exchange.getMessage();
        String key = message.getHeader(KEY, String.class);
        if (key != null && LanguageSupport.hasSimpleFunction(key)) {
            exchange.setProperty(HELD, key);
            message.setHeader(KEY, READ_HELD);
        }
    }

    /** After the send: the header holds the key again. */
    public void restore(Exchange exchange) {
        Message message = exchange.getMessage();
        String held = exchange.getProperty(HELD, String.class);
        if (held != null && READ_HELD.equals(message.getHeader(KEY, String.class))) {
            message.setHeader(KEY, held);
        }
        exchange.removeProperty(HELD);
    }
}
