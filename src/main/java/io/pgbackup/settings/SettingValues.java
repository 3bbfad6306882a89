package io.pgbackup.settings;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

/**
 * A setting's value for the routes, as data: {@code method: {ref: settings, method: "value('db.name')"}} or
 * {@code ${bean:settings?method=value('bucket.name')}}. A route that wrote {@code simple: "{{db.name}}"} pasted the
 * value into the expression's text, and Simple then evaluated any {@code ${...}} in it (a database named
 * {@code ${env:HOME}}, a {@code restore --key 'x${env:TOKEN}'}); a bean's result is never evaluated.
 */
public class SettingValues implements CamelContextAware {

    private CamelContext context;

    /** The settings routes/beans.yaml hands to beans as {@code "#bean:setting.KEY"} (see {@link #register}). */
    static final java.util.List<String> AS_BEANS = java.util.List.of("db.name", "backup.prefix",
            // free text and secrets that beans.yaml hands to beans: a password holding {{x}} or starting #class:
            // must reach the bean as it is (and the scrubbing of secrets from messages must know it as it is)
            "ncp.access.key", "ncp.secretKey", "secret.password.key", "db.password",
            "db.sslrootcert", "db.host", "db.user", "db.maintenance.name",
            "verify.db.host", "verify.db.user", "verify.db.maintenance.name", "restore.db.host",
            "restore.db.user", "restore.db.maintenance.name", "signing.key.file", "signing.key.passphrase",
            "signature.public.keys", "encryption.public.keys", "decryption.key.file", "decryption.key.passphrase",
            "heartbeat.url",
            "verify.db.password", "restore.db.password", "slack.webhook", "object.storage.secretKey",
            "mail.smtp.password");

    /**
     * Registers the settings of {@link #AS_BEANS} as String beans named {@code setting.KEY}, before the beans of
     * routes/beans.yaml are made: a bean property written {@code "{{db.name}}"} is resolved twice (once by the YAML
     * loader, then again by Camel's property binding), so a database named {@code {{db.user}}} became the login's
     * name, and a value starting {@code #class:} would make an object. A bean reference to an object that is not a
     * String (a StringBuilder, converted to the property's String by its text) is set as it is.
     */
    public static void register(CamelContext context) {
        for (String key : AS_BEANS) {
            SettingsDeclaration.builtIn().get(key);
            // not a String: the binding resolves placeholders in a String even when a bean reference gave it
            context.getRegistry().bind("setting." + key, new StringBuilder(context.resolvePropertyPlaceholders("{{" + key + ":}}")));
        }
    }

    /** The declared setting {@code key} as {@link SettingsDeclaration#value} reads it (trimmed, empty when unset). */
    public String value(String key) {
        return SettingsDeclaration.value(context, key);
    }

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }
}
