package dev.specdec.hub;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arguments that name folders, and arguments that are neither folders nor Hub ids; no network involved. */
class ModelResolverLocalTest {
    @TempDir
    Path dir;

    ModelResolver resolver() {
        // An endpoint nobody listens on: any attempt to use the network fails loudly.
        HubSettings settings = new HubSettings(URI.create("http://127.0.0.1:9"), dir.resolve("cache"), null, true,
                Duration.ofMillis(200), Duration.ofMillis(200));
        return new ModelResolver(settings, DownloadProgress.silent(), dir);
    }

    @Test
    void existingFolderWithConfigIsUsedAsIs() throws IOException {
        Path model = Files.createDirectories(dir.resolve("my-model"));
        Files.writeString(model.resolve("config.json"), "{}");

        assertEquals(model, resolver().resolve(model.toString(), null));
        assertEquals(dir.resolve("my-model"), resolver().resolve("~/my-model", "ignored-for-folders"));
    }

    @Test
    void folderWithoutConfigIsRefused() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        SpecdecException error = assertThrows(SpecdecException.class, () -> resolver().resolve(empty.toString(), null));

        assertTrue(error.getMessage().startsWith("folder " + empty + " has no config.json"), error.getMessage());
    }

    @Test
    void missingPathIsAUsageError() {
        UsageException error = assertThrows(UsageException.class, () -> resolver().resolve("./no-such-model", null));

        assertTrue(error.getMessage().startsWith("model folder ./no-such-model does not exist"), error.getMessage());
    }

    @Test
    void somethingThatIsNeitherFolderNorIdIsAUsageError() {
        UsageException error = assertThrows(UsageException.class, () -> resolver().resolve("gpt 2!", null));

        assertEquals("model 'gpt 2!' is neither an existing folder nor a Hub model id (like gpt2 or "
                + "openai-community/gpt2)", error.getMessage());
    }

    @Test
    void fileInsteadOfFolderIsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("model.safetensors"), "x");

        UsageException error = assertThrows(UsageException.class, () -> resolver().resolve(file.toString(), null));

        assertTrue(error.getMessage().contains("is a file"), error.getMessage());
    }

    @Test
    void revisionThatEscapesTheCacheIsRefused() {
        UsageException error = assertThrows(UsageException.class, () -> resolver().resolve("gpt2", "../../etc"));

        assertTrue(error.getMessage().startsWith("revision '../../etc' is not a branch, tag or commit hash"),
                error.getMessage());
    }
}
