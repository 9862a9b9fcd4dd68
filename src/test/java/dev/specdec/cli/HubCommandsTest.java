package dev.specdec.cli;

import dev.specdec.SpecdecException;
import dev.specdec.hub.DownloadProgress;
import dev.specdec.hub.HubSettings;
import dev.specdec.hub.ModelResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code specdec download} and {@code specdec models} on a cache written the way huggingface_hub writes it. */
class HubCommandsTest {
    static final String COMMIT = "607a30d783dfa663caf39e06633721c8d4cfcd7e";

    @TempDir
    Path dir;

    HubSettings offlineSettings() {
        return new HubSettings(URI.create("http://127.0.0.1:9"), dir.resolve("hub"), null, true,
                Duration.ofMillis(200), Duration.ofMillis(200));
    }

    /** A cached openai-community/gpt2 at {@link #COMMIT}, with refs/main pointing to it. */
    Path cacheGpt2() throws IOException {
        Path repo = dir.resolve("hub/models--openai-community--gpt2");
        Path snapshot = repo.resolve("snapshots").resolve(COMMIT);
        Files.createDirectories(snapshot);
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        Files.write(repo.resolve("blobs/cfg"), new byte[500]);
        Files.write(repo.resolve("blobs/w"), new byte[1_500_000]);
        Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/cfg"));
        Files.createSymbolicLink(snapshot.resolve("model.safetensors"), Path.of("../../blobs/w"));
        return snapshot;
    }

    String run(Object command, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    @Test
    void downloadPrintsTheSnapshotFolder() throws IOException {
        Path snapshot = cacheGpt2();
        DownloadCommand download = new DownloadCommand(
                () -> new ModelResolver(offlineSettings(), DownloadProgress.silent()));

        assertEquals(snapshot.toAbsolutePath() + System.lineSeparator(),
                run(download, "openai-community/gpt2", "--revision", "main"));
    }

    @Test
    void downloadErrorsReachTheCallerAsSpecdecExceptions() {
        DownloadCommand download = new DownloadCommand(
                () -> new ModelResolver(offlineSettings(), DownloadProgress.silent()));
        CommandLine cli = new CommandLine(download);
        List<Exception> errors = new ArrayList<>();
        cli.setExecutionExceptionHandler((ex, line, parse) -> {
            errors.add(ex);
            return 1;
        });

        assertEquals(1, cli.execute("distilgpt2"));

        SpecdecException error = assertInstanceOf(SpecdecException.class, errors.get(0));
        assertTrue(error.getMessage().startsWith("HF_HUB_OFFLINE=1 and model distilgpt2"), error.getMessage());
    }

    @Test
    void modelsListsIdSizeAndRevisions() throws IOException {
        cacheGpt2();

        String text = run(new ModelsCommand(this::offlineSettings));

        assertEquals(String.join(System.lineSeparator(),
                "MODEL                    SIZE  REVISIONS",
                "openai-community/gpt2  1.5 MB  main@607a30d783df",
                "1 model, 1.5 MB in " + dir.resolve("hub"), ""), text);
    }

    @Test
    void modelsSaysWhenTheCacheIsEmpty() {
        assertEquals("no models cached in " + dir.resolve("hub") + System.lineSeparator(),
                run(new ModelsCommand(this::offlineSettings)));
    }

    @Test
    void bothCommandsAreRegisteredInMain() {
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run("models", "--help"));
        assertEquals(0, Main.run("download", "--help"));
        assertEquals(0, new CommandLine(new DownloadCommand()).setOut(new PrintWriter(out)).execute("--help"));
        assertTrue(out.toString().contains("--revision=R"), out.toString());
    }
}
