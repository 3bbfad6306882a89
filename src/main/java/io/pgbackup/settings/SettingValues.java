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
