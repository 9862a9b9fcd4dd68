package dev.specdec.hub;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepoIdTest {
    @Test
    void acceptsHubIds() {
        for (String id : new String[] {"gpt2", "distilbert/distilgpt2", "openai-community/gpt2-medium", "a.b_c-1"}) {
            assertTrue(RepoId.isValid(id), id);
        }
    }

    @Test
    void rejectsWhatHuggingfaceHubRejects() {
        for (String id : new String[] {"", "a/b/c", "../x", "a--b", "a..b", "x.git", "-x", "x-", "has space",
                "/abs", "x/", "a" .repeat(97)}) {
            assertFalse(RepoId.isValid(id), id);
        }
        assertThrows(IllegalArgumentException.class, () -> new RepoId("a/b/c"));
    }

    @Test
    void cacheFolderNamesRoundTrip() {
        assertEquals("models--openai-community--gpt2", new RepoId("openai-community/gpt2").cacheFolderName());
        assertEquals("models--gpt2", new RepoId("gpt2").cacheFolderName());
        assertEquals(new RepoId("openai-community/gpt2"), RepoId.fromCacheFolderName("models--openai-community--gpt2"));
        assertNull(RepoId.fromCacheFolderName("datasets--squad"));
    }
}
