package io.pgbackup.exec;

import java.io.IOException;

/** A child process ended badly: non-zero exit, killed by the timeout, or its input could not be fed. */
public class CommandFailedException extends IOException {

    private final String command;
    private final String stderrTail;
    private final boolean timedOut;

    public CommandFailedException(String command, String reason, String stderrTail, Throwable cause) {
        this(command, reason, stderrTail, cause, false);
    }

    public CommandFailedException(String command, String reason, String stderrTail, Throwable cause, boolean timedOut) {
        super(command + " " + reason + (stderrTail.isBlank() ? "" : ": " + stderrTail.strip()), cause);
        this.command = command;
        this.stderrTail = stderrTail;
        this.timedOut = timedOut;
    }

    /** True when the command was killed by its timeout. */
    public boolean isTimedOut() {
        return timedOut;
    }

    public String getCommand() {
        return command;
    }

    public String getStderrTail() {
        return stderrTail;
    }
}
