package io.pgbackup.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SecretValueReaderTest {

    private static final String PASSWORD = "s3cr\"et pa$$ '한글'";

    private final SecretValueReader reader = new SecretValueReader();

    {
        reader.setPasswordKey("cdbPassword"); // SECRET_PASSWORD_KEY's default, as routes/beans.yaml sets it
    }

    @Test
    void takesThePasswordKeyFromTheActiveDocumentInsideAString() throws Exception {
        Exchange exchange = exchange("""
                {"code":"SUCCESS","data":{"secretId":"sec-1","decryptedSecretChain":{
                  "active":"{\\"cdbPassword\\":\\"s3cr\\\\\\"et pa$$ '한글'\\"}",
                  "pending":"{\\"cdbPassword\\":\\"next\\"}","previous":"{\\"cdbPassword\\":\\"old\\"}"}}}""");

        reader.process(exchange);

        Secret secret = exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class);
        assertThat(secret.reveal()).isEqualTo(PASSWORD);
        assertThat(secret.toString()).doesNotContain("s3cr");
        assertThat(exchange.getMessage().getBody()).as("the body held the secret and is cleared").isNull();
    }

    @Test
    void aSettableKeyIsRead() throws Exception {
        reader.setPasswordKey("password");
        Exchange exchange = exchange("""
                {"code":"SUCCESS","data":{"decryptedSecretChain":{"active":"{\\"password\\":\\"pw\\"}"}}}""");

        reader.process(exchange);

        assertThat(exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class).reveal()).isEqualTo("pw");
    }

    @Test
    void codeOtherThanSuccessIsAnError() {
        assertThatThrownBy(() -> reader.process(exchange("{\"code\":\"AUTH_FAILED\",\"data\":{}}")))
                .isInstanceOf(SecretManagerException.class)
                .hasMessageContaining("AUTH_FAILED");
    }

    @Test
    void malformedJsonIsAnErrorThatQuotesNothing() {
        assertThatThrownBy(() -> reader.process(exchange("{\"code\":\"SUCCESS\", hunter2-secret")))
                .isInstanceOf(SecretManagerException.class)
                .hasMessage("Secret Manager response is not valid JSON")
                .hasNoCause();
    }

    @Test
    void activeValueThatIsNotJsonIsAnErrorThatQuotesNothing() {
        assertThatThrownBy(() -> reader.process(exchange("""
                {"code":"SUCCESS","data":{"decryptedSecretChain":{"active":"hunter2-secret"}}}""")))
                .isInstanceOf(SecretManagerException.class)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void missingKeyNamesTheSetting() {
        assertThatThrownBy(() -> reader.process(exchange("""
                {"code":"SUCCESS","data":{"decryptedSecretChain":{"active":"{\\"other\\":\\"hunter2\\"}"}}}""")))
                .isInstanceOf(SecretManagerException.class)
                .hasMessageContaining("SECRET_PASSWORD_KEY")
                .hasMessageContaining("cdbPassword")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void everyStageWithAPasswordIsKeptInOrderEachValueOnce() throws Exception {
        Exchange exchange = exchange("""
                {"code":"SUCCESS","data":{"decryptedSecretChain":{
                  "previous":"{\\"cdbPassword\\":\\"old\\"}","active":"{\\"cdbPassword\\":\\"now\\"}",
                  "pending":"{\\"cdbPassword\\":\\"next\\"}"}}}""");
        exchange.setProperty(SecretValueReader.SECRET_ID_PROPERTY, "sec-7");

        reader.process(exchange);

        PasswordStages stages = exchange.getProperty(PasswordStages.PROPERTY, PasswordStages.class);
        assertThat(stages.names()).containsExactly("active", "pending", "previous");
        assertThat(stages.secretId()).isEqualTo("sec-7");
        assertThat(exchange.getProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.class).reveal()).isEqualTo("now");
    }

    @Test
    void aPendingOrPreviousValueWithoutAPasswordIsNoStageAndNoError() throws Exception {
        Exchange exchange = exchange("""
                {"code":"SUCCESS","data":{"decryptedSecretChain":{"active":"{\\"cdbPassword\\":\\"now\\"}",
                  "pending":"not json hunter2","previous":"{\\"other\\":\\"old\\"}"}}}""");

        reader.process(exchange);

        PasswordStages stages = exchange.getProperty(PasswordStages.PROPERTY, PasswordStages.class);
        assertThat(stages.names()).containsExactly("active");
        assertThat(stages.hasAlternatives()).isFalse();
    }

    private static Exchange exchange(String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
