package io.pgbackup.crypto;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import io.pgbackup.secret.SecretManagerException;
import io.pgbackup.secret.SecretValueReader;

import org.apache.camel.Exchange;

/**
 * An OpenPGP secret key kept in NCP Secret Manager (DECRYPTION_KEY_SECRET_ID, SIGNING_KEY_SECRET_ID): the secret's
 * active value is {@code {"privateKey": "<armored secret key>", "passphrase": "..."}}. Read from Secret Manager's
 * answer in the body, which is emptied (the key is never left in the message).
 */
public record KeyFromSecret(byte[] armored, char[] passphrase) {

    /** Body: Secret Manager's answer for the secret of {@code setting} (named in errors, never the value). */
    public static KeyFromSecret read(Exchange exchange, String setting) throws Exception {
        JsonNode active;
        try (InputStream body = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            active = SecretValueReader.activeDocument(body);
        } finally {
            exchange.getMessage().setBody(null);
        }
        JsonNode key = active.get("privateKey");
        JsonNode phrase = active.get("passphrase");
        if (key == null || !key.isTextual() || phrase == null || !phrase.isValueNode()) {
            throw new SecretManagerException("the active value of " + setting + " needs the keys 'privateKey'"
                    + " (the armored secret key) and 'passphrase'");
        }
        return new KeyFromSecret(key.asText().getBytes(StandardCharsets.US_ASCII), phrase.asText().toCharArray());
    }
}
