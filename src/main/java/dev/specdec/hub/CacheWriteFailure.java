package dev.specdec.hub;

import dev.specdec.SpecdecException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** Turns a failure to write into the cache into a message that says what to do about it. */
final class CacheWriteFailure {
    private CacheWriteFailure() {
    }

    static SpecdecException of(Path path, IOException e) {
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            path = Path.of(fse.getFile());
        }
        String message = String.valueOf(e.getMessage());
        if (isDiskFull(e)) {
            return new SpecdecException("no space left on the disk while writing " + path
                    + "; free some space or set HF_HUB_CACHE to a folder on a bigger disk", e);
        }
        if (e instanceof AccessDeniedException) {
            return new SpecdecException("cannot write " + path + ": permission denied; fix the folder's "
                    + "permissions or set HF_HUB_CACHE to a writable folder", e);
        }
        return new SpecdecException("cannot write " + path + " (" + message.strip()
                + "); check the disk or set HF_HUB_CACHE to another folder", e);
    }

    /** Whether {@code e} says the disk (or the user's quota) is full. */
    static boolean isDiskFull(IOException e) {
        String message = e.getMessage();
        return message != null && (message.contains("No space left") || message.contains("Disk quota exceeded")
                || message.contains("not enough space"));
    }
}
