package dev.specdec.hub;

import dev.specdec.SpecdecException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads against a local fake Hub, with the faults a real network produces. */
@Timeout(20)
class ModelResolverHubTest {
    static final String ID = "test-org/tiny-gpt2";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final byte[] WEIGHTS = FakeHub.randomBytes(300_000, 7);
    static final String CONFIG = "{\"model_type\":\"gpt2\",\"n_layer\":2}";

    @TempDir
    Path cacheDir;
    FakeHub hub;
    final List<String> notes = new ArrayList<>();

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        hub.add(new FakeHub.Repo(ID, COMMIT)
                .file("config.json", CONFIG)
                .file("generation_config.json", "{}")
                .file("tokenizer.json", "{\"model\":{}}")
                .file("vocab.json", "{\"a\":0}")
                .file("merges.txt", "#version: 0.2\n")
                .file("README.md", "# tiny")
                .file("pytorch_model.bin", FakeHub.randomBytes(1000, 3))
                .file("model.safetensors", WEIGHTS));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** Timeouts long enough for a loaded machine; the timeout tests use {@link #impatientSettings()}. */
    HubSettings settings() {
        return new HubSettings(hub.endpoint(), cacheDir, null, false, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    HubSettings impatientSettings() {
        return settings().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    ModelResolver resolver(HubSettings settings) {
        return new ModelResolver(settings, new DownloadProgress() {
            @Override
            public void started(String file, long totalBytes, long resumedBytes) {
            }

            @Override
            public void advanced(long bytes) {
            }

            @Override
            public void finished(boolean success) {
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        });
    }

    Path repoFolder() {
        return cacheDir.resolve("models--test-org--tiny-gpt2");
    }

    @Test
    void downloadWritesTheHuggingfaceHubCacheLayout() throws IOException {
        Path folder = resolver(settings()).resolve(ID, null);

        assertEquals(repoFolder().resolve("snapshots").resolve(COMMIT), folder);
        assertEquals(COMMIT, Files.readString(repoFolder().resolve("refs/main")));
        Path weights = folder.resolve("model.safetensors");
        assertTrue(Files.isSymbolicLink(weights));
        assertEquals(Path.of("../../blobs/" + FakeHub.sha256(WEIGHTS)), Files.readSymbolicLink(weights));
        assertArrayEquals(WEIGHTS, Files.readAllBytes(weights));
        Path config = folder.resolve("config.json");
        assertEquals(Path.of("../../blobs/" + FakeHub.gitBlobId(CONFIG.getBytes())), Files.readSymbolicLink(config));
        assertEquals(CONFIG, Files.readString(config));
        for (String name : List.of("generation_config.json", "tokenizer.json", "vocab.json", "merges.txt")) {
            assertTrue(Files.isRegularFile(folder.resolve(name)), name);
        }
        assertFalse(Files.exists(folder.resolve("pytorch_model.bin")));
        assertFalse(Files.exists(folder.resolve("README.md")));
        assertTrue(hub.requests("GET", "pytorch_model.bin").isEmpty());
        assertTrue(hub.requests("HEAD", "pytorch_model.bin").isEmpty());
        try (Stream<Path> blobs = Files.list(repoFolder().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        assertTrue(Files.isRegularFile(cacheDir.resolve(".locks/models--test-org--tiny-gpt2/"
                + FakeHub.sha256(WEIGHTS) + ".lock")));
        assertTrue(Files.readString(cacheDir.resolve("CACHEDIR.TAG"))
                .startsWith("Signature: 8a477f597d28d172789f06886806bc55\n"));
    }

    @Test
    void secondResolveReusesTheCacheAndOnlyAsksForTheCommit() {
        ModelResolver resolver = resolver(settings());
        Path first = resolver.resolve(ID, "main");
        hub.seen.clear();

        Path second = resolver.resolve(ID, "main");

        assertEquals(first, second);
        assertEquals(1, hub.seen.size(), hub.seen.toString());
        assertTrue(hub.seen.get(0).path().startsWith("/api/models/" + ID + "/revision/main"));
    }

    @Test
    void commitHashRevisionAlreadyCachedNeedsNoNetwork() {
        resolver(settings()).resolve(ID, null);
        hub.seen.clear();

        Path folder = resolver(settings()).resolve(ID, COMMIT);

        assertEquals(repoFolder().resolve("snapshots").resolve(COMMIT), folder);
        assertTrue(hub.seen.isEmpty(), hub.seen.toString());
    }

    @Test
    void droppedConnectionIsResumedWithARangeRequest() throws IOException {
        hub.dropAfterBytes = 120_000;
        hub.drops.put("model.safetensors", new AtomicInteger(1));

        Path folder = resolver(settings()).resolve(ID, null);

        assertArrayEquals(WEIGHTS, Files.readAllBytes(folder.resolve("model.safetensors")));
        List<FakeHub.Seen> gets = hub.requests("GET", "/cdn/");
        assertEquals(2, gets.size(), gets.toString());
        assertEquals("bytes=120000-", gets.get(1).range());
    }

    @Test
    void interruptedDownloadIsResumedByTheNextRun() throws IOException {
        hub.dropAfterBytes = 100_000;
        hub.drops.put("model.safetensors", new AtomicInteger(HubClient.MAX_ATTEMPTS));

        SpecdecException error = assertThrows(SpecdecException.class, () -> resolver(settings()).resolve(ID, null));

        assertTrue(error.getMessage().contains("run the command again to resume"), error.getMessage());
        Path incomplete = repoFolder().resolve("blobs/" + FakeHub.sha256(WEIGHTS) + ".incomplete");
        assertEquals(100_000, Files.size(incomplete));
        assertFalse(Files.exists(repoFolder().resolve("blobs/" + FakeHub.sha256(WEIGHTS))));
        assertFalse(Files.exists(repoFolder().resolve("snapshots/" + COMMIT + "/model.safetensors")));
        assertFalse(Files.exists(repoFolder().resolve("refs/main")));

        hub.drops.clear();
        hub.seen.clear();
        Path folder = resolver(settings()).resolve(ID, null);

        assertArrayEquals(WEIGHTS, Files.readAllBytes(folder.resolve("model.safetensors")));
        List<FakeHub.Seen> gets = hub.requests("GET", "/cdn/");
        assertEquals(1, gets.size(), gets.toString());
        assertEquals("bytes=100000-", gets.get(0).range());
        assertFalse(Files.exists(incomplete));
    }

    @Test
    void checksumMismatchIsRejectedAndNothingIsCached() throws IOException {
        hub.corrupt.put("model.safetensors", true);

        SpecdecException error = assertThrows(SpecdecException.class, () -> resolver(settings()).resolve(ID, null));

        assertTrue(error.getMessage().startsWith("checksum mismatch for " + ID + "/model.safetensors"),
                error.getMessage());
        try (Stream<Path> blobs = Files.list(repoFolder().resolve("blobs"))) {
            assertTrue(blobs.noneMatch(p -> p.getFileName().toString().startsWith(FakeHub.sha256(WEIGHTS))));
        }
        assertFalse(Files.exists(repoFolder().resolve("snapshots/" + COMMIT + "/model.safetensors")));
        assertFalse(Files.exists(repoFolder().resolve("refs/main")));

        hub.corrupt.clear();
        Path folder = resolver(settings()).resolve(ID, null);
        assertArrayEquals(WEIGHTS, Files.readAllBytes(folder.resolve("model.safetensors")));
    }

    @Test
    void gatedModelWithoutTokenSaysHowToLogIn() {
        hub.add(new FakeHub.Repo("org/gated", COMMIT).file("config.json", CONFIG)
                .file("model.safetensors", WEIGHTS).gated("secret"));

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings()).resolve("org/gated", null));

        assertTrue(error.getMessage().contains("HTTP 401"), error.getMessage());
        assertTrue(error.getMessage().contains("set HF_TOKEN or run `huggingface-cli login`"), error.getMessage());
        assertFalse(error.getMessage().contains("\n"));
        assertFalse(Files.exists(cacheDir.resolve("models--org--gated/snapshots/" + COMMIT + "/config.json")));
    }

    @Test
    void gatedModelWithTheRightTokenDownloadsAndSendsTheTokenOnlyToTheHub() throws IOException {
        hub.add(new FakeHub.Repo("org/gated", COMMIT).file("config.json", CONFIG)
                .file("model.safetensors", WEIGHTS).gated("secret"));

        Path folder = resolver(settings().withToken("secret")).resolve("org/gated", null);

        assertArrayEquals(WEIGHTS, Files.readAllBytes(folder.resolve("model.safetensors")));
        assertTrue(hub.requests("HEAD", "/resolve/").stream()
                .allMatch(s -> "Bearer secret".equals(s.authorization())));
    }

    @Test
    void refusedTokenIsReported() {
        hub.add(new FakeHub.Repo("org/gated", COMMIT).file("config.json", CONFIG)
                .file("model.safetensors", WEIGHTS).gated("secret"));

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings().withToken("wrong")).resolve("org/gated", null));

        assertTrue(error.getMessage().startsWith("your token has no access to model org/gated (HTTP 403, gated"),
                error.getMessage());
    }

    @Test
    void forbiddenWithoutTokenSaysToAcceptTheTermsAndLogIn() {
        hub.forcedStatus = 403;
        hub.forcedErrorCode = "GatedRepo";

        SpecdecException error = assertThrows(SpecdecException.class, () -> resolver(settings()).resolve(ID, null));

        assertTrue(error.getMessage().startsWith("model " + ID + " is gated (HTTP 403): accept its terms at "
                + hub.endpoint() + "/" + ID), error.getMessage());
        assertTrue(error.getMessage().contains("HF_TOKEN"));
    }

    @Test
    void unknownModelIsNotFoundAndLeavesNoFolder() {
        hub.forcedStatus = 404;
        hub.forcedErrorCode = "RepoNotFound";

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings()).resolve("nobody/nothing", null));

        assertEquals("model nobody/nothing not found on 127.0.0.1 (HTTP 404); check the model id, e.g. gpt2 or "
                + "openai-community/gpt2", error.getMessage());
        assertFalse(Files.exists(cacheDir.resolve("models--nobody--nothing")));
    }

    @Test
    void unknownRevisionIsNamed() {
        SpecdecException error = assertThrows(SpecdecException.class, () -> resolver(settings()).resolve(ID, "v9"));

        assertTrue(error.getMessage().startsWith("revision 'v9' of model " + ID + " not found"), error.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        FakeHub.Repo liar = hub.add(new FakeHub.Repo("org/liar", COMMIT).file("config.json", CONFIG)
                .file("model.safetensors", WEIGHTS));
        liar.files.put("vocab.json", null); // listed by the API, missing behind resolve/

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings()).resolve("org/liar", null));

        assertTrue(error.getMessage().startsWith("file vocab.json of model org/liar not found"), error.getMessage());
    }

    @Test
    void serverThatStopsAnsweringTimesOut() {
        hub.stallApi = true;
        long start = System.nanoTime();

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(impatientSettings()).resolve(ID, null));

        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(hub.endpoint() + " did not answer within 1 s; check your network connection, retry later, "
                + "or allow more time with HF_HUB_ETAG_TIMEOUT", error.getMessage());
        assertTrue(millis < 5000, "took " + millis + " ms");
    }

    @Test
    void downloadThatGoesSilentTimesOutAndKeepsThePartForResuming() throws IOException {
        hub.stallBodyAfter = 50_000;

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(impatientSettings()).resolve(ID, null));

        assertTrue(error.getMessage().contains("no data received for 1.0 s"), error.getMessage());
        assertTrue(error.getMessage().endsWith("run the command again to resume"), error.getMessage());
        Path incomplete = repoFolder().resolve("blobs/" + FakeHub.sha256(WEIGHTS) + ".incomplete");
        assertEquals(50_000, Files.size(incomplete));
    }

    @Test
    void noNetworkAndNotCachedSaysSo() {
        HubSettings unreachable = settings();
        hub.close();

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(unreachable).resolve(ID, null));

        assertTrue(error.getMessage().startsWith("cannot reach " + hub.endpoint() + " (connection refused)"),
                error.getMessage());
        assertTrue(error.getMessage().contains("HF_HUB_OFFLINE=1"), error.getMessage());
    }

    @Test
    void noNetworkButCachedUsesTheCache() {
        Path folder = resolver(settings()).resolve(ID, null);
        HubSettings unreachable = settings();
        hub.close();

        assertEquals(folder, resolver(unreachable).resolve(ID, null));
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("using the cached copy of " + ID)), notes.toString());
    }

    @Test
    void offlineModeUsesTheCacheWithoutAnyRequest() {
        Path folder = resolver(settings()).resolve(ID, null);
        hub.seen.clear();

        assertEquals(folder, resolver(settings().withOffline(true)).resolve(ID, null));
        assertTrue(hub.seen.isEmpty(), hub.seen.toString());
    }

    @Test
    void offlineModeWithoutCacheSaysHowToGetTheModel() {
        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings().withOffline(true)).resolve(ID, null));

        assertEquals("HF_HUB_OFFLINE=1 and model " + ID + " (revision main) is not fully in the cache " + cacheDir
                + "; download it while online with `specdec download " + ID + "`, or unset HF_HUB_OFFLINE",
                error.getMessage());
        assertTrue(hub.seen.isEmpty());
    }

    @Test
    void repositoryWithOnlyPickledWeightsIsRefusedBeforeDownloading() {
        hub.add(new FakeHub.Repo("org/old", COMMIT).file("config.json", CONFIG)
                .file("pytorch_model.bin", FakeHub.randomBytes(1000, 1)));

        SpecdecException error = assertThrows(SpecdecException.class,
                () -> resolver(settings()).resolve("org/old", null));

        assertTrue(error.getMessage().startsWith("model org/old (revision main) has no safetensors weights (it has "
                + "only pytorch_model.bin); specdec never loads pickled PyTorch files"), error.getMessage());
        assertTrue(hub.requests("HEAD", "/resolve/").isEmpty());
        assertTrue(hub.requests("GET", "/cdn/").isEmpty());
    }

    @Test
    void shardedWeightsAreDownloadedFromTheIndex() throws IOException {
        byte[] shard1 = FakeHub.randomBytes(40_000, 11);
        byte[] shard2 = FakeHub.randomBytes(30_000, 12);
        String index = "{\"metadata\":{\"total_size\":70000},\"weight_map\":{"
                + "\"h.0.w\":\"model-00001-of-00002.safetensors\",\"h.1.w\":\"model-00002-of-00002.safetensors\","
                + "\"h.2.w\":\"model-00002-of-00002.safetensors\"}}";
        hub.add(new FakeHub.Repo("org/big", COMMIT).file("config.json", CONFIG)
                .file("model.safetensors.index.json", index)
                .file("model-00001-of-00002.safetensors", shard1)
                .file("model-00002-of-00002.safetensors", shard2));

        Path folder = resolver(settings()).resolve("org/big", null);

        assertArrayEquals(shard1, Files.readAllBytes(folder.resolve("model-00001-of-00002.safetensors")));
        assertArrayEquals(shard2, Files.readAllBytes(folder.resolve("model-00002-of-00002.safetensors")));
        assertEquals(index, Files.readString(folder.resolve("model.safetensors.index.json")));
        assertEquals(2, hub.requests("GET", "/cdn/").size());
        assertEquals(folder, resolver(settings().withOffline(true)).resolve("org/big", null));
    }

    @Test
    void renamedRepositoryIsFollowedOnTheHubButCachedUnderTheGivenId() throws IOException {
        hub.alias("tiny-gpt2", ID);

        Path folder = resolver(settings()).resolve("tiny-gpt2", null);

        assertEquals(cacheDir.resolve("models--tiny-gpt2/snapshots/" + COMMIT), folder);
        assertArrayEquals(WEIGHTS, Files.readAllBytes(folder.resolve("model.safetensors")));
    }

    @Test
    void twoThreadsDownloadingTheSameModelShareOneTransfer() throws Exception {
        hub.cdnWaitsForHeads = 2;
        List<Throwable> failures = new ArrayList<>();
        List<Path> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Path p = resolver(settings()).resolve(ID, null);
                    synchronized (results) {
                        results.add(p);
                    }
                } catch (Throwable t) {
                    synchronized (failures) {
                        failures.add(t);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(15_000);
        }

        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(2, results.size());
        assertEquals(results.get(0), results.get(1));
        assertEquals(2, hub.requests("HEAD", "model.safetensors").size());
        assertEquals(1, hub.requests("GET", "/cdn/").size());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(results.get(0).resolve("model.safetensors")));
        assertEquals(COMMIT, Files.readString(repoFolder().resolve("refs/main")));
    }

    @Test
    @Timeout(60)
    void twoProcessesDownloadingTheSameModelShareOneTransfer() throws Exception {
        // This JVM and a child JVM: the server holds the weights back until both have asked for them.
        hub.cdnWaitsForHeads = 2;
        Process child = ResolveInChildProcess.start(hub.endpoint(), cacheDir, ID);
        Path here = resolver(settings().withTimeouts(Duration.ofSeconds(40), Duration.ofSeconds(40)))
                .resolve(ID, null);

        assertTrue(child.waitFor(40, java.util.concurrent.TimeUnit.SECONDS), "child process did not finish");
        String err = new String(child.getErrorStream().readAllBytes());
        assertEquals(0, child.exitValue(), err);
        assertEquals(here.toString(), new String(child.getInputStream().readAllBytes()).strip());
        assertEquals(2, hub.requests("HEAD", "model.safetensors").size());
        assertEquals(1, hub.requests("GET", "/cdn/").size());
        assertArrayEquals(WEIGHTS, Files.readAllBytes(here.resolve("model.safetensors")));
    }
}
