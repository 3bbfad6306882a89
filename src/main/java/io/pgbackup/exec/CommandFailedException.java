package io.pgbackup.exec;

import java.io.IOException;

/** A child process ended badly: non-zero exit, killed by the timeout, or its input could not be fed. */
public class CommandFailedException extends IOException {

    private final String command;
    private final int exitValue;
    private final String stderrTail;

    public CommandFailedException(String command, int exitValue, String reason, String stderrTail, Throwable cause) {
        super(command + " " + reason + (stderrTail.isBlank() ? "" : ": " + stderrTail.strip()), cause);
        this.command = command;
        this.exitValue = exitValue;
        this.stderrTail = stderrTail;
    }

    public String getCommand() {
        return command;
    }

    public int getExitValue() {
        return exitValue;
    }

    public String getStderrTail() {
        return stderrTail;
    }
}
