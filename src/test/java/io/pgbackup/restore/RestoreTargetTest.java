package io.pgbackup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import io.pgbackup.run.DatabaseRun;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RestoreTargetTest {

    private final RestoreTarget target = new RestoreTarget();
    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void namesPostgresWouldNotTakeAreRefusedUpFront() {
        assertThat(RestoreTarget.problemWithName("shop")).isNull();
        assertThat(RestoreTarget.problemWithName("상점 \"x\" 'y' = /..")).isNull();
        assertThat(RestoreTarget.problemWithName("a".repeat(63))).isNull();
        assertThat(RestoreTarget.problemWithName("a".repeat(64))).contains("64 bytes").contains("at most 63");
        assertThat(RestoreTarget.problemWithName("가".repeat(22))).as("66 bytes of UTF-8").contains("66 bytes");
        assertThat(RestoreTarget.problemWithName("")).contains("empty");
        assertThat(RestoreTarget.problemWithName("a\0b")).contains("NUL");
    }

    @Test
    void theAsideNameFitsInSixtyThreeBytesCutAtACharacter() {
        ZonedDateTime at = ZonedDateTime.of(2026, 11, 28, 2, 0, 5, 0, ZoneId.of("Asia/Seoul"));
        assertThat(RestoreTarget.asideName("shop", at)).isEqualTo("shop_before_20261128020005");
        String aside = RestoreTarget.asideName("상".repeat(21), at);
        assertThat(aside.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(63);
        assertThat(aside).endsWith("_before_20261128020005").startsWith("상".repeat(12));
    }

    @Test
    void namesReachSqlOnlyQuoted() {
        DatabaseRun.of(exchange).setTarget("evil\"; DROP DATABASE prod; --'");
        target.freshName(exchange);
        assertThat(target.checkQuery(exchange)).contains("datname = 'evil\"; DROP DATABASE prod; --'''")
                .startsWith("SET standard_conforming_strings = on;");
        DatabaseRun.of(exchange).setAside("old\"x");
        assertThat(target.renameSql(exchange)).startsWith("BEGIN;\n")
                .contains("ALTER DATABASE \"evil\"\"; DROP DATABASE prod; --'\" RENAME TO \"old\"\"x\";")
                .endsWith("RENAME TO \"evil\"\"; DROP DATABASE prod; --'\";\nCOMMIT;\n");
        assertThat(target.createSql(exchange)).matches("CREATE DATABASE \"pgbackup_restore_\\d{14}_[0-9a-f]{8}\" TEMPLATE template0;\n");
        assertThat(target.dropSql(exchange)).startsWith("DROP DATABASE IF EXISTS \"pgbackup_restore_").endsWith(" WITH (FORCE);\n");
    }

    @Test
    void anExistingTargetIsRefusedWithoutReplaceAndInUseWithIt() {
        DatabaseRun.of(exchange).setTarget("shop");
        exchange.getMessage().setBody("0|0\n");
        target.judge(exchange);
        assertThat(DatabaseRun.of(exchange).aside()).isNull();

        exchange.getMessage().setBody("1|0\n");
        assertThatThrownBy(() -> target.judge(exchange)).hasMessageContaining("database shop already exists")
                .hasMessageContaining("--replace");

        exchange.setProperty(RestoreTarget.REPLACE, true);
        exchange.getMessage().setBody("1|3\n");
        assertThatThrownBy(() -> target.judge(exchange)).hasMessageContaining("has 3 connected sessions");

        exchange.getMessage().setBody("1|0\n");
        target.judge(exchange);
        assertThat(DatabaseRun.of(exchange).aside()).matches("shop_before_\\d{14}");

        exchange.getMessage().setBody("psql: error");
        assertThatThrownBy(() -> target.judge(exchange)).hasMessageContaining("could not tell whether database shop exists");
    }

    @Test
    void onlyAFreshNameOfItsOwnIsEverDropped() {
        DatabaseRun.of(exchange).setFresh("shop");
        assertThatThrownBy(() -> target.dropSql(exchange)).hasMessageContaining("no fresh database name");
    }
}
