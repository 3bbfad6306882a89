package io.pgbackup.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built application as a user does: {@code java -jar target/pg-backup.jar COMMAND} with settings in
 * environment variables, from the project folder (so ./routes and ./application.properties are the ones used).
 * The child gets a clean environment: only PATH, HOME, LANG and the settings given here.
 */
public final class PgBackupProcess {

    public static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    public static final Path JAR = PROJECT.resolve("target/pg-backup.jar");

    private final Map<String, String> env = new LinkedHashMap<>();
    private Path directory = PROJECT;
    private int timeoutSeconds = 180;

    public PgBackupProcess set(String name, String value) {
        env.put(name, value);
        return this;
    }

    public PgBackupProcess setAll(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public PgBackupProcess in(Path directory) {
        this.directory = directory;
        return this;
    }

    public PgBackupProcess timeoutSeconds(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    public Map<String, String> env() {
        return env;
    }

    public Result run(String... args) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run the tests with 'mvn verify' (package comes first)");
        }
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.add("-jar");
        argv.add(JAR.toString());
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile());
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().retainAll(List.of("PATH", "HOME", "LANG", "LC_ALL", "JAVA_HOME"));
        childEnv.putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("pg-backup " + String.join(" ", args) + " did not end within "
                    + timeoutSeconds + " s; stderr so far: " + err.getNow(""));
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }

    /** Exit code and the two output streams of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + "\n" + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }
}
