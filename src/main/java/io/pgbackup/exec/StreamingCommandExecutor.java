package io.pgbackup.exec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecResult;

/**
 * Runs a command without holding its output: the result's stdout is the child's live pipe, so a dump of any size
 * flows straight into the next step. camel-exec's default executor reads all of stdout into memory and accepts any
 * exit code; this one checks the exit code when the stream ends and throws {@link CommandFailedException} from
 * {@code read()} instead of returning end-of-stream, so a dump cut short can never look complete.
 * <p>
 * The body given to the exec endpoint, if any, is fed to the child's stdin by a thread. When that body fails while it
 * is read (a download cut off, a checksum that does not match at its end), the child is killed <em>before</em> its
 * stdin is closed: psql commits when its input ends, so a failed input must never look like an ended one. The
 * command's {@code timeout} (ms) kills the child when exceeded. Stderr is drained continuously and its last error
 * lines kept for the failure (not the lines quoting rows or SQL: {@link ErrorLines}).
 * <p>
 * A {@link CommandWithEnvironment} runs with an environment built from scratch: the few variables of
 * exactly the variables it names (PostgresEnvironmentBinding: the few the child inherits from the command's
 * environment, then its own). No other variable of this process (its keys, passwords and URLs) reaches the child.
 * <p>
 * With {@link #setReadInputWhole readInputWhole} (pg_restore reading an archive), a child that stops reading early is
 * not a failure by itself (pg_restore reads only as far as the last entry it restores): the rest of the input is
 * still read to its end, and the child's stdout ends only once it was, so the input's own checks (a checked backup
 * stream compares its SHA-256 at its end) have spoken before the reader of stdout (psql) sees the end.
 */
public class StreamingCommandExecutor implements ExecCommandExecutor {

    private boolean readInputWhole;

    /** True: the input is read to its end even when the child stops reading it early (see the class comment). */
    public void setReadInputWhole(boolean readInputWhole) {
        this.readInputWhole = readInputWhole;
    }

    @Override
    public ExecResult execute(ExecCommand command) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(command.getExecutable());
        argv.addAll(command.getArgs());
        ProcessBuilder builder = new ProcessBuilder(argv);
        if (command.getWorkingDir() != null) {
            builder.directory(Path.of(command.getWorkingDir()).toFile());
        }
        if (command instanceof CommandWithEnvironment withEnvironment) {
            builder.environment().clear();
            builder.environment().putAll(withEnvironment.getEnvironment());
        }
        String name = Path.of(command.getExecutable()).getFileName().toString();
        Process process = builder.start();
        RunningCommand running = new RunningCommand(name, process, command.getExitValues(), readInputWhole);
        running.start(command.getInput(), command.getTimeout());
        return new ExecResult(command, running.stdout(), new ByteArrayInputStream(new byte[0]), 0);
    }
}
