package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
}
