package io.pgbackup.secret;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Reads a Secret Manager "get secret value" response and puts the password into the exchange property
 * {@value #PASSWORD_PROPERTY} as a {@link Secret}, and every stage of it (active, pending, previous: the values a
 * rotation goes through) into {@value PasswordStages#PROPERTY} for the login check (routes/db-login.yaml). The body
 * (which holds the clear secret) is cleared.
 * <p>
 * Response shape: {@code {"code":"SUCCESS","data":{"decryptedSecretChain":{"active":"{\"cdbPassword\":\"...\"}"}}}}
 * where {@code active} is a JSON document inside a string. Errors name what is wrong, never the content: Jackson's
 * own messages quote the input, so they are not passed on.
 */
public class SecretValueReader implements Processor {

    public static final String PASSWORD_PROPERTY = "dbPassword";
    /** Exchange property: the secret read (routes/secret-manager.yaml sets it), named in log lines and alerts. */
    public static final String SECRET_ID_PROPERTY = "secretId";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private String passwordKey;

    @Override
    public void process(Exchange exchange) throws IOException {
        JsonNode response;
        try (InputStream body = exchange.getMessage().getMandatoryBody(InputStream.class)) {
            response = MAPPER.readTree(body);
        } catch (IOException | RuntimeException | org.apache.camel.InvalidPayloadException e) {
            throw new SecretManagerException("Secret Manager response is not valid JSON");
        } finally {
            exchange.getMessage().setBody(null);
        }
        Map<String, String> values = new HashMap<>(otherStages(response));
        values.put("active", passwordFrom(response));
        PasswordStages stages = PasswordStages.of(exchange.getProperty(SECRET_ID_PROPERTY, "", String.class), values);
        exchange.setProperty(PASSWORD_PROPERTY, stages.active());
        exchange.setProperty(PasswordStages.PROPERTY, stages);
    }

    /**
     * The password of the pending and previous values, those that hold one: a stage that is missing, is not a JSON
     * document or lacks the key is no stage to try (only the active value must be whole).
     */
    Map<String, String> otherStages(JsonNode response) {
        Map<String, String> values = new HashMap<>();
        JsonNode chain = response.path("data").path("decryptedSecretChain");
        for (String stage : List.of("pending", "previous")) {
            JsonNode value = chain.path(stage);
            JsonNode document = value.isTextual() ? documentOrNull(value.asText()) : null;
            JsonNode password = document == null ? null : document.get(passwordKey);
            if (password != null && password.isValueNode() && !password.asText().isEmpty()) {
                values.put(stage, password.asText());
            }
        }
        return values;
    }

    private static JsonNode documentOrNull(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonNode document = MAPPER.readTree(parser);
            return document != null && document.isObject() ? document : null;
        } catch (IOException e) {
            return null;
        }
    }

    String passwordFrom(JsonNode response) {
        JsonNode activeDocument = active(response);
        JsonNode password = activeDocument == null ? null : activeDocument.get(passwordKey);
        if (password == null || !password.isValueNode() || password.asText().isEmpty()) {
            throw new SecretManagerException(
                    "the active secret value has no key '" + passwordKey + "' (setting SECRET_PASSWORD_KEY)");
        }
        return password.asText();
    }

    /** A Secret Manager answer (the body) to its active value, a JSON document: for other secrets than the password. */
    public static JsonNode activeDocument(InputStream body) {
        try {
            return active(MAPPER.readTree(body));
        } catch (IOException e) {
            throw new SecretManagerException("Secret Manager response is not valid JSON");
        }
    }

    /** The active value of a Secret Manager answer, read as the JSON document it holds. Errors never quote it. */
    static JsonNode active(JsonNode response) {
        if (response == null || !response.isObject()) {
            throw new SecretManagerException("Secret Manager response is not a JSON object");
        }
        String code = response.path("code").asText("");
        if (!"SUCCESS".equals(code)) {
            throw new SecretManagerException("Secret Manager answered code '" + printable(code) + "' instead of SUCCESS");
        }
        JsonNode active = response.path("data").path("decryptedSecretChain").path("active");
        if (!active.isTextual()) {
            throw new SecretManagerException("Secret Manager response has no data.decryptedSecretChain.active value");
        }
        JsonNode activeDocument;
        try (JsonParser parser = MAPPER.createParser(active.asText())) {
            activeDocument = MAPPER.readTree(parser);
        } catch (IOException e) {
            throw new SecretManagerException("the active secret value is not a JSON document");
        }
        if (activeDocument == null || !activeDocument.isObject()) {
            throw new SecretManagerException("the active secret value is not a JSON object");
        }
        return activeDocument;
    }

    private static String printable(String code) {
        String shortCode = code.length() > 40 ? code.substring(0, 40) : code;
        return shortCode.replaceAll("[^A-Za-z0-9_.-]", "?");
    }

    public void setPasswordKey(String passwordKey) {
        this.passwordKey = passwordKey;
    }
}
