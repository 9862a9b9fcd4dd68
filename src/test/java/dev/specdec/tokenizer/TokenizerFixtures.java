package dev.specdec.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The GPT-2 tokenizer fixture and the ids transformers produced for it (tools/reference/make_fixtures.py). */
final class TokenizerFixtures {
    static final Path GPT2_TOKENIZER = Path.of("src/test/resources/fixtures/gpt2-tokenizer");
    static final Path TINY_TOKENIZER = Path.of("src/test/resources/fixtures/tiny-1l");

    /** One golden case: text, transformers' ids for it, and transformers' decode of those ids. */
    record Case(String text, int[] ids, String decoded) {
    }

    private TokenizerFixtures() {
    }

    static List<Case> goldenCases() {
        return read("cases", true);
    }

    /** Decodes of id prefixes that end inside a UTF-8 character. */
    static List<Case> partialDecodes() {
        return read("partial_decodes", false);
    }

    private static List<Case> read(String section, boolean hasText) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(GPT2_TOKENIZER.resolve("golden-tokens.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode node : root.get(section)) {
            int[] ids = new int[node.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.get("ids").get(i).intValue();
            }
            cases.add(new Case(hasText ? node.get("text").asText() : null, ids, node.get("decoded").asText()));
        }
        if (cases.isEmpty()) {
            throw new IllegalStateException("no " + section + " in golden-tokens.json");
        }
        return cases;
    }
}
