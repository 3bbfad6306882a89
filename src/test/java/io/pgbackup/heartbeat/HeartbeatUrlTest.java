package io.pgbackup.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.pgbackup.heartbeat.HeartbeatUrl.Ping;
import io.pgbackup.heartbeat.HeartbeatUrl.Style;

import org.junit.jupiter.api.Test;

/** The requests each style makes of a heartbeat URL, built from the URL as data. */
class HeartbeatUrlTest {

    static final String CHECK = "https://hc-ping.com/5f1e7c2a-0b1d-4c5e-9f00-secret0uuid";

    static HeartbeatUrl healthchecks(String url) {
        return HeartbeatUrl.parse(url, Style.HEALTHCHECKS);
    }

    static HeartbeatUrl kuma(String url) {
        return HeartbeatUrl.parse(url, Style.UPTIME_KUMA);
    }

    static List<String> decodedQuery(Ping ping) {
        return Arrays.stream(ping.uri().getRawQuery().split("&"))
                .map(part -> URLDecoder.decode(part, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void healthchecksPingsStartThenTheUrlItselfOrFailWithTheReasonAsPostBody() {
        HeartbeatUrl url = healthchecks(CHECK);

        Ping start = url.start().orElseThrow();
        assertThat(start.method()).isEqualTo("GET");
        assertThat(start.uri()).hasToString(CHECK + "/start");
        assertThat(start.body()).isNull();
        assertThat(url.success().uri()).hasToString(CHECK);
        assertThat(url.success().method()).isEqualTo("GET");
        Ping fail = url.fail("backup failed: dump (authentication failed)");
        assertThat(fail.method()).isEqualTo("POST");
        assertThat(fail.uri()).hasToString(CHECK + "/fail");
        assertThat(fail.body()).isEqualTo("backup failed: dump (authentication failed)");
    }

    @Test
    void healthchecksKeepsTheQueryAfterTheAddedPathAndNeedsNoDoubleSlash() {
        assertThat(healthchecks(CHECK + "/?create=1&x=a%20b").start().orElseThrow().uri())
                .hasToString(CHECK + "/start?create=1&x=a%20b");
        assertThat(healthchecks(CHECK + "/?create=1").success().uri()).hasToString(CHECK + "/?create=1");
        // a ping key and slug URL, with an encoded character in the path
        assertThat(healthchecks("https://hc.example.org/ping/KEY/nightly%2Fdb").fail("x").uri())
                .hasToString("https://hc.example.org/ping/KEY/nightly%2Fdb/fail");
    }

    @Test
    void kumaSendsStatusAndEncodedMessageAndReplacesTheParametersItsPageShowsButKeepsTheRest() {
        HeartbeatUrl url = kuma("http://kuma.local:3001/api/push/Tok3n?status=up&msg=OK&ping=&tag=nightly");

        assertThat(url.start()).isEmpty();
        Ping up = url.success();
        assertThat(up.method()).isEqualTo("GET");
        assertThat(up.uri().getRawPath()).isEqualTo("/api/push/Tok3n");
        assertThat(decodedQuery(up)).containsExactly("tag=nightly", "status=up", "msg=OK");

        Ping down = url.fail("1 of 2 databases failed: dump (database does not exist) & more=yes + 한글");
        assertThat(down.method()).isEqualTo("GET");
        assertThat(down.body()).isNull();
        assertThat(down.uri().getRawQuery()).doesNotContain(" ").doesNotContain("+").doesNotContain("한")
                .contains("%20").contains("%26").contains("%2B");
        assertThat(decodedQuery(down)).containsExactly("tag=nightly", "status=down",
                "msg=1 of 2 databases failed: dump (database does not exist) & more=yes + 한글");
    }

    @Test
    void kumaWithoutAQueryGetsOnlyItsOwn() {
        assertThat(kuma("https://kuma.example.com/api/push/abc").success().uri())
                .hasToString("https://kuma.example.com/api/push/abc?status=up&msg=OK");
    }

    @Test
    void aReasonIsOneShortLine() {
        String reason = HeartbeatUrl.oneLine("first\nsecond\r\tthird " + "x".repeat(500));
        assertThat(reason).doesNotContain("\n").doesNotContain("\r").doesNotContain("\t").startsWith("first second third")
                .hasSize(HeartbeatUrl.MAX_REASON).endsWith("...");
        assertThat(HeartbeatUrl.oneLine("")).isEqualTo("failed");
    }

    @Test
    void whatALogMayShowIsSchemeHostAndPortNeverPathQueryOrLogin() {
        assertThat(healthchecks(CHECK + "?create=1").shown()).isEqualTo("https://hc-ping.com");
        assertThat(kuma("HTTP://user:pw@kuma.local:3001/api/push/Tok3n?status=up").shown())
                .isEqualTo("http://kuma.local:3001");
        assertThat(healthchecks(CHECK).start().orElseThrow()).hasToString("start ping");
    }

    @Test
    void anythingButAnAbsoluteHttpUrlIsRefusedWithoutQuotingIt() {
        for (String bad : List.of("hc-ping.com/secret-uuid", "ftp://hc-ping.com/secret-uuid", "/secret-uuid",
                "https:///secret-uuid", "https://hc ping.com/secret-uuid")) {
            assertThatThrownBy(() -> healthchecks(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("HEARTBEAT_URL").hasMessageNotContaining("secret-uuid");
        }
        assertThatThrownBy(() -> Style.of("nagios")).hasMessageContaining("HEARTBEAT_STYLE");
        assertThat(Style.of("uptime-kuma")).isEqualTo(Style.UPTIME_KUMA);
    }
}
