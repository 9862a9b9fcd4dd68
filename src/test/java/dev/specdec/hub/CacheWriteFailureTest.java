package dev.specdec.hub;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CacheWriteFailureTest {
    @Test
    void fullDiskSaysToFreeSpaceOrMoveTheCache() {
        assertEquals("no space left on the disk while writing /c/blobs/x.incomplete; free some space or set "
                        + "HF_HUB_CACHE to a folder on a bigger disk",
                CacheWriteFailure.of(Path.of("/c/blobs/x.incomplete"), new IOException("No space left on device"))
                        .getMessage());
    }

    @Test
    void permissionProblemNamesTheFileFromTheException() {
        assertEquals("cannot write /c/refs/main: permission denied; fix the folder's permissions or set "
                        + "HF_HUB_CACHE to a writable folder",
                CacheWriteFailure.of(Path.of("/c"), new AccessDeniedException("/c/refs/main")).getMessage());
    }
}
