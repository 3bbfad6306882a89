package io.pgbackup.cli;

/** A wrong command line found past its parsing (restore's combinations of options, a bad --jobs): one line, exit 2. */
public final class UsageException extends IllegalArgumentException {

    public UsageException(String message) {
        super(message);
    }
}
