package io.pgbackup.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Each setting is declared once (application.properties' {@code #@} lines): the README's table is that declaration,
 * every placeholder a route or the settings file reads is declared (or set by the app itself), and Java reads no
 * setting past it.
 */
class SettingsDeclarationTest {

    static final SettingsDeclaration DECLARED = SettingsDeclaration.builtIn();

    static String read(String path) throws IOException {
        return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    }

    @Test
    void theReadmeTableIsTheDeclaration() throws IOException {
        String readme = read("README.md");
        String begin = "<!-- settings table: made from application.properties (SettingsDeclarationTest) -->\n";
        String end = "<!-- end of settings table -->";
        assertThat(readme).contains(begin).contains(end);
        String table = readme.substring(readme.indexOf(begin) + begin.length(), readme.indexOf(end));
        assertThat(table).as("README.md's settings table differs from the declaration; replace it with:%n%s",
                DECLARED.markdownTable()).isEqualTo(DECLARED.markdownTable());
    }

    @Test
    void theDeclarationCoversEverySettingWithAnEnvironmentVariable() throws IOException {
        // a sanity floor (the file has 80), and each variable declared once
        assertThat(DECLARED.all()).hasSizeGreaterThan(70);
        assertThat(DECLARED.all().stream().map(Setting::variable).distinct()).hasSize(DECLARED.all().size());
        assertThat(DECLARED.get("db.port").type()).isEqualTo(new SettingType("int", 1, 65535, List.of()));
        assertThat(DECLARED.get("db.port").variable()).isEqualTo("DB_PORT");
        assertThat(DECLARED.get("db.password").secret()).isTrue();
        assertThat(DECLARED.get("slack.webhook").type().kind()).isEqualTo("url");
        assertThat(DECLARED.get("db.name").neededBy("restore")).isTrue();
        assertThat(DECLARED.get("db.name").neededBy("list")).isFalse();
        assertThat(DECLARED.get("bucket.name").neededBy("prune")).isTrue();
        assertThat(DECLARED.defaultShown(DECLARED.get("verify.db.host"))).isEqualTo("`DB_HOST`");
        assertThat(DECLARED.defaultShown(DECLARED.get("secret.id"))).isEqualTo("—");
    }

    /** Every {{key}} in the routes and the settings file is declared, or one of the few the app sets itself. */
    @Test
    void everyPlaceholderTheRoutesReadIsDeclared() throws IOException {
        String properties = read("application.properties");
        List<String> setByTheApp = new ArrayList<>();
        Matcher plain = Pattern.compile("(?m)^([a-z][\\w.\\-]*)\\s*=\\s*(?!\\{\\{env:)").matcher(properties);
        while (plain.find()) {
            setByTheApp.add(plain.group(1));
        }
        assertThat(setByTheApp).contains("backup.schedule.enabled", "object.storage.uri", "observe.enabled");
        Map<String, List<String>> unknown = new TreeMap<>();
        List<Path> files = new ArrayList<>(List.of(Path.of("application.properties")));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            routes.filter(p -> p.toString().endsWith(".yaml")).forEach(files::add);
        }
        for (Path file : files) {
            for (String key : SettingsDeclaration.placeholders(read(file.toString()))) {
                if (!DECLARED.declares(key) && !setByTheApp.contains(key)) {
                    unknown.computeIfAbsent(file.toString(), f -> new ArrayList<>()).add(key);
                }
            }
        }
        assertThat(unknown).as("placeholders with no declaration").isEmpty();
        assertThat(files).hasSizeGreaterThan(10);
    }

    /** Java reads settings through SettingsDeclaration.value only: every key it names is declared, no getenv. */
    @Test
    void javaReadsSettingsOnlyThroughTheDeclaration() throws IOException {
        Pattern read = Pattern.compile("(?:SettingsDeclaration\\.value\\([^,]+|[^.]value\\(|property\\([^,]+), \"([\\w.\\-]+)\"\\)|value\\(\"([\\w.\\-]+)\"\\)");
        List<String> keys = new ArrayList<>();
        List<String> getenv = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = read(source.toString());
                Matcher matcher = read.matcher(text);
                while (matcher.find()) {
                    keys.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
                }
                if (text.contains("System.getenv(")) {
                    getenv.add(source.getFileName().toString());
                }
            }
        }
        assertThat(keys).hasSizeGreaterThan(30).allSatisfy(key -> assertThat(DECLARED.declares(key)).as(key).isTrue());
        // main() hands the process's environment to PgBackup.run, and the {{env:NAME:default}} function of
        // application.properties itself (LiteralEnvironment) defaults to it; all else (PATH to find a program, the
        // variables a child inherits, HOSTNAME, LOG_LEVEL) reads the environment PgBackup.run was given (RunEnvironment)
        assertThat(getenv).containsExactlyInAnyOrder("PgBackup.java", "LiteralEnvironment.java");
        assertThat(read("src/main/java/io/pgbackup/PgBackup.java").split("System\\.getenv\\(", -1)).hasSize(2);
    }

    @Test
    void aSettingWithoutItsDeclarationLineIsRefused() {
        assertThatThrownBy(() -> SettingsDeclaration.parse("# --- x ---\nnew.thing = {{env:NEW_THING:1}}\n"))
                .hasMessageContaining("NEW_THING".isEmpty() ? "" : "new.thing has no '#@ TYPE | NEEDED BY | HELP' line");
        assertThatThrownBy(() -> SettingsDeclaration.parse("#@ integer | all | x\na = {{env:A:1}}\n"))
                .hasMessageContaining("unknown setting type 'integer'");
        assertThatThrownBy(() -> SettingsDeclaration.parse("#@ text | backups | x\na = {{env:A:1}}\n"))
                .hasMessageContaining("'backups' is not a command");
        assertThatThrownBy(() -> SettingsDeclaration.parse("#@ text | all\na = {{env:A:1}}\n"))
                .hasMessageContaining("is not 'TYPE | NEEDED BY | HELP'");
        // a prose comment may sit between the declaration line and the setting; a blank line may not
        assertThat(SettingsDeclaration.parse("#@ bool | - | x\n# more words\na = {{env:A:true}}\n").get("a").help())
                .isEqualTo("x");
        assertThatThrownBy(() -> SettingsDeclaration.parse("#@ bool | - | x\n\na = {{env:A:true}}\n"))
                .hasMessageContaining("a has no '#@");
    }

    @Test
    void eachTypeRefusesWhatItCannotUse() {
        record Case(String type, String good, String bad, String problem) {
        }
        for (Case c : List.of(
                new Case("int 1..65535", "5432", "70000", "70000 is outside 1..65535"),
                new Case("int 1..65535", "1", "five", "'five' is not a whole number"),
                new Case("bool", "false", "yes", "'yes' is not one of [false, true]"),
                new Case("one of gzip, zstd", "zstd", "lz4", "'lz4' is not one of [gzip, zstd]"),
                new Case("cron", "0 0 2 * * ?", "0 0 25 * * ?", "is not a Quartz cron expression"),
                new Case("duration", "26h", "soon", "is not a duration"),
                new Case("duration", "PT26H", "0s", "shorter than one second"),
                new Case("timer-duration", "15m", "PT15M", "is not a duration"),
                new Case("zone", "Asia/Seoul", "Asia/Busan", "is not a known time zone"),
                new Case("url", "https://kr.object.ncloudstorage.com", "kr.object.ncloudstorage.com", "is not an http(s) URL"),
                new Case("host", "127.0.0.1", "127.0.0.1; rm", "is not an address to listen on"),
                new Case("folder", System.getProperty("java.io.tmpdir"), "/nonexistent/folder", "is not a writable folder"),
                new Case("file", "pom.xml", "/nonexistent/file", "is not a readable file"),
                new Case("program", "sh", "no-such-program-x", "is not found on PATH"),
                new Case("databases", "app, billing", "app,,billing", "has an empty name"),
                new Case("databases", "*", "app,@globals", "cannot be part of a list"),
                new Case("jdbc-url", "jdbc:postgresql://h/q", "postgresql://u:pw@h/q", "is not a jdbc:postgresql:// URL"),
                new Case("jdbc-url", "jdbc:postgresql://h:5432/q?user=a@b", "jdbc:postgresql://u:pw@h:5432/q",
                        "SCHEDULER_JDBC_USER and SCHEDULER_JDBC_PASSWORD"),
                new Case("name", "manvscloud-psql.backup_1", "sec/../other?x=1", "cannot have"),
                new Case("name", "abc", "id${env:HOME}", "cannot have"))) {
            SettingType type = SettingType.parse(c.type());
            assertThat(type.problem(c.good(), "'" + c.good() + "'", "/usr/bin:/bin")).as(c.toString()).isNull();
            assertThat(type.problem(c.bad(), "'" + c.bad() + "'", "/usr/bin:/bin")).as(c.toString()).contains(c.problem());
        }
        // a program is looked for on the PATH of the command's environment (PgBackup.run's), not on the JVM's
        assertThat(SettingType.parse("program").problem("sh", "'sh'", "/nonexistent")).contains("is not found on PATH");
        // a secret's value stays out of the message
        assertThat(SettingType.parse("jdbc-url").problem("postgresql://u:pwSECRET@h/q", "hidden", "")).doesNotContain("pwSECRET");
        assertThat(SettingType.parse("jdbc-url").problem("jdbc:postgresql://u:pwSECRET@h/q", "hidden", "")).doesNotContain("pwSECRET");
        assertThat(SettingType.parse("url").problem("hooks/T0/tokenSECRET", "its value (not shown: it is a secret)", ""))
                .doesNotContain("tokenSECRET");
    }
}
