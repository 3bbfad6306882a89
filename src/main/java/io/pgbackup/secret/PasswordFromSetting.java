package io.pgbackup.secret;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Puts the password given by the DB_PASSWORD setting into the exchange property
 * {@value SecretValueReader#PASSWORD_PROPERTY}, masked, so Secret Manager need not be called.
 */
public class PasswordFromSetting implements Processor {

    private String password = "";

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(SecretValueReader.PASSWORD_PROPERTY, Secret.of(password));
        // a setting has one value: no stages of a Secret Manager password read before (for another server) apply
        exchange.removeProperty(PasswordStages.PROPERTY);
    }

    /** True when DB_PASSWORD is set: the route then skips Secret Manager. */
    public boolean isSet() {
        return !password.isEmpty();
    }

    public void setPassword(String password) {
        this.password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "PasswordFromSetting[set=" + isSet() + "]";
    }
}
