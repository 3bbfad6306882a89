package io.pgbackup.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pgbackup.streams.BulkInputStream;
import io.pgbackup.support.Spaces;

import org.apache.camel.LoggingLevel;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class StreamingCommandExecutorTest {

    private final StreamingCommandExecutor executor = new StreamingCommandExecutor();

    @Test
    void streamsStdoutAndEndsCleanlyOnExitZero() throws Exception {
        ExecResult result = executor.execute(command("sh", List.of("-c", "seq 1 100000"), 0, null));

        String out = new String(result.getStdout().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(out).startsWith("1\n2\n").endsWith("100000\n");
    }

    @Test
    void aNonZeroExitFailsTheStreamAtItsEndWithStderr() throws Exception {
        ExecResult result = executor.execute(
                command("sh", List.of("-c", "echo partial-dump; echo 'connection lost' >&2; exit 3"), 0, null));

        InputStream stdout = result.getStdout();
        assertThatThrownBy(stdout::readAllBytes)
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("connection lost");
    }

    @Test
    void aFailedCopysRowDataStaysOutOfTheFailure() throws Exception {
        ExecResult result = executor.execute(command("sh", List.of("-c", "printf '%s\\n' 'psql:<stdin>:9: ERROR:  value too"
                + " long for type character varying(3)' 'CONTEXT:  COPY t, line 1, column a: \"card 4111-1111\"' >&2; exit 3"),
                0, null));

        assertThatThrownBy(() -> result.getStdout().readAllBytes())
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("ERROR:  value too long for type character varying(3)")
                .hasMessageNotContaining("4111").hasMessageNotContaining("CONTEXT");
    }

    @Test
    void theTimeoutKillsTheChildAndFailsTheStream() throws Exception {
        ExecResult result = executor.execute(command("sh", List.of("-c", "echo started; sleep 30"), 500, null));

        assertThatThrownBy(() -> result.getStdout().readAllBytes())
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("timeout");
    }

    @Test
    void theBodyIsFedToStdinAndTheEnvironmentIsSet() throws Exception {
        ExecCommand plain = command("sh", List.of("-c", "tr a-z A-Z; printf '%s' \"$PGPASSWORD\" | wc -c"), 0,
                new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)));
        ExecResult result = executor.execute(new CommandWithEnvironment(plain, Map.of("PGPASSWORD", "pa ss")));

        String out = new String(result.getStdout().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(out.replaceAll("\\s+", " ").trim()).isEqualTo("HELLO5");
    }

    /**
     * pg_restore reading an archive stops after the last entry it needs: with readInputWhole the rest of the input is
     * still read (its checks speak at its end), and the child's stdout ends only then, with the input's failure when
     * it fails after the child is gone.
     */
    @Test
    void readingTheInputWholeOutlastsAChildThatStopsEarly() throws Exception {
        StreamingCommandExecutor whole = new StreamingCommandExecutor();
        whole.setReadInputWhole(true);
        CountingInput good = new CountingInput(8 * 1024 * 1024, null);
        ExecResult ok = whole.execute(command("head", List.of("-c", "10"), 0, good));
        assertThat(new String(ok.getStdout().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(" ".repeat(10));
        assertThat(good.read).as("the input read to its end after head exited").isEqualTo(8 * 1024 * 1024);

        CountingInput failsAtItsEnd = new CountingInput(8 * 1024 * 1024, "SHA-256 differs");
        ExecResult failed = whole.execute(command("head", List.of("-c", "10"), 0, failsAtItsEnd));
        assertThatThrownBy(() -> failed.getStdout().readAllBytes()).isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("SHA-256 differs");

        // without it, a child that stops reading early is a failure of its own (told as the unread input, or as the
        // kill that follows it when head had not quite exited yet)
        ExecResult strict = executor.execute(command("head", List.of("-c", "10"), 0, new CountingInput(8 * 1024 * 1024, null)));
        assertThatThrownBy(() -> strict.getStdout().readAllBytes()).isInstanceOf(CommandFailedException.class)
                .hasMessageMatching("(?s)head (did not read all of its input|exited with code 137).*");
    }

    /** A reader that gives up (psql failed) stops the reading of the rest too: a failed restore does not download on. */
    @Test
    void aReaderThatGivesUpStopsTheReadingOfTheRest() throws Exception {
        StreamingCommandExecutor whole = new StreamingCommandExecutor();
        whole.setReadInputWhole(true);
        CountingInput endless = new CountingInput(Long.MAX_VALUE / 2, null);
        ExecResult result = whole.execute(command("cat", List.of(), 0, endless));
        InputStream stdout = result.getStdout();
        assertThat(stdout.readNBytes(1000)).hasSize(1000);
        stdout.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        long before;
        do {
            before = endless.read;
            Thread.sleep(300);
        } while (endless.read != before && System.nanoTime() < deadline);
        assertThat(endless.read).as("no more input read once the reader gave up").isEqualTo(before);
    }

    /** {@code size} spaces, then the end, or an IOException with {@code failure} in place of the end; counts the reads. */
    private static final class CountingInput extends java.io.FilterInputStream {
        private final String failure;
        volatile long read;

        CountingInput(long size, String failure) {
            super(Spaces.of(size));
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            return BulkInputStream.readOne(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n < 0 && failure != null) {
                throw new IOException(failure);
            }
            read += Math.max(n, 0);
            return n;
        }
    }

    /** Repeated: the child is killed while its stdout is read, and the reader must still get the input's failure. */
    @org.junit.jupiter.api.RepeatedTest(30)
    void aFailingInputFailsTheCommand() throws Exception {
        InputStream broken = new InputStream() {
            private int left = 3;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 'x';
                }
                throw new IOException("download cut");
            }
        };
        ExecResult result = executor.execute(command("cat", List.of(), 0, broken));

        assertThatThrownBy(() -> result.getStdout().readAllBytes())
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("download cut");
    }

    /**
     * An Error while the input is read (the heap running out on a huge line) must fail the command like any input
     * failure: the child is killed before its stdin closes, so a psql never takes the cut input for a whole one.
     */
    @Test
    void anErrorWhileReadingTheInputKillsTheChildBeforeItsInputEnds() throws Exception {
        InputStream failing = new InputStream() {
            private int left = 3;

            @Override
            public int read() {
                if (left-- > 0) {
                    return 'x';
                }
                throw new OutOfMemoryError("simulated: Java heap space");
            }
        };
        ExecResult result = executor.execute(command("sh", List.of("-c", "cat > /dev/null; echo committed"), 0, failing));

        assertThatThrownBy(() -> result.getStdout().readAllBytes())
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("Java heap space");
    }

    @Test
    void theEnvironmentIsNamedButNeverPrinted() {
        ExecCommand plain = command("true", List.of(), 0, null);

        assertThat(new CommandWithEnvironment(plain, Map.of("PGPASSWORD", "hunter2")).toString())
                .contains("PGPASSWORD").doesNotContain("hunter2");
    }

    private static ExecCommand command(String executable, List<String> args, long timeout, InputStream input) {
        return new ExecCommand(executable, args, null, timeout, Set.of(), input, null, false, LoggingLevel.DEBUG);
    }
}
