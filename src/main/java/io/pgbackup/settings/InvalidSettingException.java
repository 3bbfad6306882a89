package io.pgbackup.settings;

/** A setting that cannot work; the message names the environment variable. */
public final class InvalidSettingException extends IllegalArgumentException {
    public InvalidSettingException(String variable, String problem) {
        super("invalid setting " + variable + ": " + problem);
    }
}
