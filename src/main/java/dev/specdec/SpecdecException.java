package dev.specdec;

/**
 * A failure the user can act on: the message names the thing that is wrong and how to fix it.
 * The CLI prints only the message (one line) and exits with {@link #exitCode()}.
 */
public class SpecdecException extends RuntimeException {
    private final int exitCode;

    public SpecdecException(String message) {
        this(message, null, 1);
    }

    public SpecdecException(String message, Throwable cause) {
        this(message, cause, 1);
    }

    protected SpecdecException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Process exit code the CLI uses for this failure: 2 for usage errors, 1 for the rest. */
    public int exitCode() {
        return exitCode;
    }
}
