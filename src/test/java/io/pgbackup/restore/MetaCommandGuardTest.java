package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which psql can refuse a backup's backslash commands, and the keys the restore uses. */
@Timeout(30)
class MetaCommandGuardTest {

    @Test
    void restrictedModeCameWithTheseReleases() {
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")).isTrue();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 15.14")).isTrue();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 15.13")).isFalse();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 13.22")).isTrue();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 14.18")).isFalse();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 16.10")).isTrue();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 17.5")).isFalse();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 18.0")).isTrue();
        assertThat(MetaCommandGuard.supports("psql (PostgreSQL) 12.22")).isFalse();
        assertThat(MetaCommandGuard.supports("(psql --version failed: No such file)")).isFalse();
    }

    @Test
    void theInstalledPsqlIsAsked() {
        String psql = System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin") + "/psql";
        assertThat(MetaCommandGuard.restrictable(psql)).as("this machine's psql 15.18").isTrue();
        assertThat(MetaCommandGuard.restrictable("/nonexistent/psql")).isFalse();
    }

    @Test
    void keysAreLettersAndDigitsAndNeverRepeat() {
        String one = MetaCommandGuard.key();
        assertThat(one).matches("[A-Za-z0-9]{40}").isNotEqualTo(MetaCommandGuard.key());
    }

    private static Exchange exchange(String psql, String allow, Object body) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().addOverrideProperty("psql.path", psql);
        context.getPropertiesComponent().addOverrideProperty("psql.allow.unrestricted", allow);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    /** A psql that answers --version with {@code version} (it is never run otherwise here). */
    private static String psqlOf(Path dir, String version) throws Exception {
        Path script = dir.resolve("psql-" + version);
        Files.writeString(script, "#!/bin/sh\necho 'psql (PostgreSQL) " + version + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script.toString();
    }

    @Test
    void pgBackupsOwnQueriesGoBehindAFreshRestrictKey(@TempDir Path dir) throws Exception {
        String psql = psqlOf(dir, "15.18");
        Object one = MetaCommandGuard.restricted(exchange(psql, "false", "SELECT 1;\n"));
        Object two = MetaCommandGuard.restricted(exchange(psql, "false", "SELECT 1;\n"));

        assertThat((String) one).matches("\\\\restrict [A-Za-z0-9]{40}\nSELECT 1;\n").isNotEqualTo(two);
        Object stream = MetaCommandGuard.restricted(exchange(psql, "false",
                new ByteArrayInputStream("DROP DATABASE x;\n".getBytes(StandardCharsets.UTF_8))));
        assertThat(new String(((InputStream) stream).readAllBytes(), StandardCharsets.UTF_8))
                .matches("\\\\restrict [A-Za-z0-9]{40}\nDROP DATABASE x;\n");
    }

    @Test
    void aPsqlWithoutRestrictedModeIsRefusedUnlessAllowed(@TempDir Path dir) throws Exception {
        String old = psqlOf(dir, "15.13");

        assertThatThrownBy(() -> MetaCommandGuard.restricted(exchange(old, "false", "SELECT 1;\n")))
                .isInstanceOf(MetaCommandGuard.UnrestrictedPsqlException.class)
                .hasMessageContaining("13.22, 14.19, 15.14, 16.10, 17.6").hasMessageContaining("PSQL_ALLOW_UNRESTRICTED=true")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> MetaCommandGuard.guard(exchange(old, "false", null),
                new ByteArrayInputStream(new byte[0]), false, false))
                .isInstanceOf(MetaCommandGuard.UnrestrictedPsqlException.class);
        Exchange problem = exchange(old, "false", null);
        assertThat(MetaCommandGuard.problem(problem.getContext())).contains("PSQL_ALLOW_UNRESTRICTED");

        Exchange allowed = exchange(old, "true", "SELECT 1;\n");
        assertThat(MetaCommandGuard.restricted(allowed)).isEqualTo("SELECT 1;\n");
        assertThat(MetaCommandGuard.problem(allowed.getContext())).isNull();
        assertThat(MetaCommandGuard.problem(exchange(psqlOf(dir, "17.6"), "false", null).getContext())).isNull();
    }
}
