package io.pgbackup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.pgbackup.run.DatabaseList;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class DatabaseListTest {

    private final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void aCommaListIsTrimmedAndDeduplicatedAndGlobalsComeFirst() {
        DatabaseList list = new DatabaseList();
        list.setNames(" app, 상점 shop ,app,billing");
        list.setGlobals(true);

        assertThat(list.needsServerList()).isFalse();
        assertThat(list.databases(exchange)).containsExactly("@globals", "app", "상점 shop", "billing");
        assertThat(list.restorableDatabases(exchange)).containsExactly("app", "상점 shop", "billing");
    }

    @Test
    void starTakesTheServersListAndFailsWhenItIsEmpty() {
        DatabaseList list = new DatabaseList();
        list.setNames("*");
        assertThat(list.needsServerList()).isTrue();

        exchange.setProperty(DatabaseList.SERVER_LIST, hex("alpha") + "\n" + hex(" beta ") + "\n" + hex("two\nlines") + "\n"
                + hex("host=127.0.0.1 port=1 dbname=postgres") + "\n" + hex("상점 \"q'") + "\n\n");
        assertThat(list.databases(exchange)).containsExactly("alpha", " beta ", "two\nlines",
                "host=127.0.0.1 port=1 dbname=postgres", "상점 \"q'");

        exchange.setProperty(DatabaseList.SERVER_LIST, hex("app") + "\n" + hex("@globals") + "\n");
        assertThat(list.databases(exchange)).containsExactly("app");
        assertThat(exchange.getProperty(DatabaseList.REFUSED, String.class)).contains("a database named '@globals'");

        exchange.setProperty(DatabaseList.SERVER_LIST, "");
        assertThatThrownBy(() -> list.databases(exchange)).hasMessageContaining("DB_NAME=*");
    }

    @Test
    void dbNameIsOneNameACommaListOrStar() {
        assertThat(DatabaseList.parse("*")).isEqualTo(new DatabaseList.Names(true, List.of(), null));
        assertThat(DatabaseList.parse(" * ").everyDatabase()).isTrue();
        assertThat(DatabaseList.parse("상점 shop")).isEqualTo(new DatabaseList.Names(false, List.of("상점 shop"), null));
        assertThat(DatabaseList.parse(" app, 상점 shop ,app,billing"))
                .isEqualTo(new DatabaseList.Names(false, List.of("app", "상점 shop", "billing"), null));
    }

    @Test
    void aBadDbNameSaysWhatIsWrongButKeepsItsNames() {
        DatabaseList.Names empty = DatabaseList.parse("alpha,,beta");
        assertThat(empty.problem()).isEqualTo("'alpha,,beta' has an empty name (a name, a comma list, or *)");
        assertThat(empty.names()).containsExactly("alpha", "beta");
        assertThat(DatabaseList.parse("alpha,").problem()).isEqualTo("'alpha,' has an empty name (a name, a comma list, or *)");
        assertThat(DatabaseList.parse("").problem()).contains("has an empty name");

        assertThat(DatabaseList.parse("app, *").problem()).isEqualTo("'*' cannot be part of a list (* alone means every"
                + " database; use BACKUP_GLOBALS for roles)");
        assertThat(DatabaseList.parse("@globals,app").problem()).startsWith("'@globals' cannot be part of a list");
        assertThat(DatabaseList.parse("app, ,*").problem()).as("the first problem").contains("has an empty name");
    }

    @Test
    void theSettingsCheckReportsWhatParseFinds() {
        io.pgbackup.settings.SettingType databases = io.pgbackup.settings.SettingType.parse("databases");
        assertThat(databases.problem("alpha,,beta", "'alpha,,beta'", ""))
                .isEqualTo("'alpha,,beta' has an empty name (a name, a comma list, or *)");
        assertThat(databases.problem("alpha, beta", "'alpha, beta'", "")).isNull();
        assertThat(databases.problem("*", "'*'", "")).isNull();
    }

    private static String hex(String name) {
        return java.util.HexFormat.of().formatHex(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aPartSizeTheHeapCannotHoldIsOneLineNamingTheSetting() {
        long mib = 1024 * 1024;
        SettingsCheck.partSizeFitsTheHeap(16 * mib, 200 * mib);
        assertThatThrownBy(() -> SettingsCheck.partSizeFitsTheHeap(64 * mib, 200 * mib))
                .hasMessage("invalid setting UPLOAD_PART_SIZE: 64 MiB parts need about 256 MiB of heap, the JVM has 200 MiB:"
                        + " lower UPLOAD_PART_SIZE or raise -Xmx (PG_BACKUP_JAVA_OPTS)");
    }
}
