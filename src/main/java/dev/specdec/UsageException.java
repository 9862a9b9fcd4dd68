package dev.specdec;

/** A mistake in how the tool was called (bad flag value, empty prompt...); the CLI exits with 2. */
public class UsageException extends SpecdecException {
    public UsageException(String message) {
        super(message, null, 2);
    }
}
