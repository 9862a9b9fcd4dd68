package dev.specdec.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a cache laid out the way Python's huggingface_hub writes it. */
class HubCacheTest {
    static final String MAIN = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String OLD = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    @TempDir
    Path cache;

    /** Writes a blob and its snapshot symlink by hand, as huggingface_hub would. */
    void put(String folder, String commit, String file, String etag, int size) throws IOException {
        Path blob = cache.resolve(folder).resolve("blobs").resolve(etag);
        Files.createDirectories(blob.getParent());
        Files.write(blob, new byte[size]);
        Path pointer = cache.resolve(folder).resolve("snapshots").resolve(commit).resolve(file);
        Files.createDirectories(pointer.getParent());
        Files.createSymbolicLink(pointer, Path.of("../../blobs").resolve(etag));
    }

    void ref(String folder, String name, String commit) throws IOException {
        Path ref = cache.resolve(folder).resolve("refs").resolve(name);
        Files.createDirectories(ref.getParent());
        Files.writeString(ref, commit);
    }

    @Test
    void emptyOrMissingCacheHasNoModels() {
        assertEquals(List.of(), new HubCache(cache.resolve("absent")).models());
        assertEquals(List.of(), new HubCache(cache).models());
    }

    @Test
    void listsModelsRevisionsRefsAndSizeCountingSharedBlobsOnce() throws IOException {
        put("models--openai-community--gpt2", MAIN, "config.json", "c1", 100);
        put("models--openai-community--gpt2", MAIN, "model.safetensors", "w1", 5000);
        put("models--openai-community--gpt2", OLD, "config.json", "c1", 100);
        ref("models--openai-community--gpt2", "main", MAIN);
        ref("models--openai-community--gpt2", "refs/pr/1", MAIN);
        put("models--distilgpt2", MAIN, "config.json", "c2", 10);
        Files.createDirectories(cache.resolve("datasets--squad/blobs"));

        List<CachedModel> models = new HubCache(cache).models();

        assertEquals(2, models.size());
        CachedModel distil = models.get(0);
        assertEquals("distilgpt2", distil.repo().value());
        assertEquals("no model.safetensors", distil.revisions().get(0).missing());
        CachedModel gpt2 = models.get(1);
        assertEquals("openai-community/gpt2", gpt2.repo().value());
        assertEquals(5100, gpt2.bytesOnDisk());
        assertEquals(2, gpt2.revisions().size());
        CachedModel.Revision main = gpt2.revisions().get(0);
        assertEquals(MAIN, main.commit());
        assertEquals(List.of("main", "refs/pr/1"), main.refs());
        assertTrue(main.complete());
        assertNull(main.missing());
        assertEquals(List.of(), gpt2.revisions().get(1).refs());
    }

    @Test
    void refsAreReadAndWrittenAsPlainCommitHashes() throws IOException {
        HubCache hubCache = new HubCache(cache);
        RepoId repo = new RepoId("org/m");

        hubCache.writeRef(repo, "refs/pr/3", MAIN);

        assertEquals(MAIN, Files.readString(cache.resolve("models--org--m/refs/refs/pr/3")));
        assertEquals(MAIN, hubCache.commitOf(repo, "refs/pr/3"));
        assertEquals(OLD, hubCache.commitOf(repo, OLD));
        assertNull(hubCache.commitOf(repo, "main"));
    }
}
