package io.pgbackup.dump;

import java.io.IOException;

/** pg_dump's output ended without the trailer it writes last: the dump is cut short and must not be stored. */
public class IncompleteDumpException extends IOException {

    public IncompleteDumpException(String message) {
        super(message);
    }
}
