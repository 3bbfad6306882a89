package io.pgbackup.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A value given for a setting is data for the placeholder parser: {{...}} in it is never resolved. */
class LiteralEnvironmentTest {

    @TempDir
    Path folder;

    @Test
    void aValueHoldingPlaceholdersIsReadAsItIsAndDefaultsStillResolve() throws Exception {
        Path file = folder.resolve("app.properties");
        Files.writeString(file, "db.user = the_login\ndb.name = {{env:PG_BACKUP_TEST_UNSET_VARIABLE:}}\n"
                + "db.host = {{env:PG_BACKUP_TEST_UNSET_VARIABLE:{{db.user}}}}\n");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
            properties.setLocation("file:" + file);
            properties.addPropertiesFunction(new LiteralEnvironment());
            context.start();
            // a default that names another setting resolves as before
            assertThat(context.resolvePropertyPlaceholders("{{db.host}}")).isEqualTo("the_login");
            for (String value : new String[] {"{{db.user}}", "a}}b{{c", "${env:HOME}", "x{{db.user}}y}}"}) {
                properties.addOverrideProperty("db.name", LiteralEnvironment.escape(value));
                assertThat(context.resolvePropertyPlaceholders("{{db.name:}}")).as(value).isEqualTo(value);
                assertThat(context.resolvePropertyPlaceholders("s3://{{db.name}}/x")).as(value).isEqualTo("s3://" + value + "/x");
            }
        }
    }

    @Test
    void anUnsetVariableGivesItsDefaultAndASetOneItsValue() {
        LiteralEnvironment env = new LiteralEnvironment();
        assertThat(env.apply("PG_BACKUP_TEST_UNSET_VARIABLE:fallback")).isEqualTo("fallback");
        assertThat(env.apply("PG_BACKUP_TEST_UNSET_VARIABLE")).isNull();
        assertThat(env.apply("PATH:x")).isEqualTo(LiteralEnvironment.escape(System.getenv("PATH")));
    }

    /** A command run in-process (PgBackup.run) reads its settings from the environment it is given, not the JVM's. */
    @Test
    void variablesAreReadFromTheGivenEnvironmentOnly() {
        LiteralEnvironment given = new LiteralEnvironment(java.util.Map.of("DB_NAME", "{{shop}}"));
        assertThat(given.apply("DB_NAME:x")).isEqualTo(LiteralEnvironment.escape("{{shop}}"));
        assertThat(System.getenv("PATH")).isNotNull();
        assertThat(given.apply("PATH:not in the given environment")).isEqualTo("not in the given environment");
    }
}
