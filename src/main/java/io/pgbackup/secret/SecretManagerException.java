package io.pgbackup.secret;

/** Secret Manager answered, but not with a usable password. The message never carries the secret. */
public class SecretManagerException extends RuntimeException {

    public SecretManagerException(String message) {
        super(message);
    }
}
