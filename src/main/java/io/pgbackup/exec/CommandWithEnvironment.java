package io.pgbackup.exec;

import java.util.Map;

import org.apache.camel.component.exec.ExecCommand;

/** An {@link ExecCommand} that also carries variables for the child's environment (camel-exec has no option for it). */
public class CommandWithEnvironment extends ExecCommand {

    private final transient Map<String, String> environment;

    public CommandWithEnvironment(ExecCommand command, Map<String, String> environment) {
        super(command.getExecutable(), command.getArgs(), command.getWorkingDir(), command.getTimeout(),
                command.getExitValues(), command.getInput(), command.getOutFile(), command.isUseStderrOnEmptyStdout(),
                command.getCommandLogLevel());
        this.environment = Map.copyOf(environment);
    }

    public Map<String, String> getEnvironment() {
        return environment;
    }

    /** Prints the command and the names of the variables it sets, never their values. */
    @Override
    public String toString() {
        return super.toString() + " env=" + environment.keySet();
    }
}
