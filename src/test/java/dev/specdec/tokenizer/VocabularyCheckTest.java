package dev.specdec.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.specdec.SpecdecException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VocabularyCheckTest {
    private static final Path TARGET = TokenizerFixtures.GPT2_TOKENIZER;

    private static Gpt2Tokenizer target;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        target = Gpt2Tokenizer.load(TARGET);
    }

    @AfterAll
    static void close() {
        target.close();
    }

    @Test
    void acceptsTheSameTokenizerLoadedTwice() {
        try (Gpt2Tokenizer draft = Gpt2Tokenizer.load(TARGET)) {
            assertDoesNotThrow(() -> VocabularyCheck.requireSameVocabulary(target, TARGET, draft, TARGET));
        }
    }

    @Test
    void namesTheFirstIdWhoseTokenDiffers() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode tokenizerJson = (ObjectNode) json.readTree(TARGET.resolve("tokenizer.json").toFile());
        ObjectNode vocab = (ObjectNode) tokenizerJson.get("model").get("vocab");
        // Same size, same token set: only the ids of two tokens are swapped.
        vocab.put("Ġworld", 1000);
        vocab.put("ale", 995);
        json.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson);
        try (Gpt2Tokenizer draft = Gpt2Tokenizer.load(dir)) {
            assertEquals("ale", target.token(1000));
            SpecdecException e = assertThrows(SpecdecException.class,
                    () -> VocabularyCheck.requireSameVocabulary(target, TARGET, draft, dir));
            assertEquals("draft model " + dir + " and target model " + TARGET + " use different tokenizers: token id"
                    + " 995 is \"Ġworld\" in the target but \"ale\" in the draft; choose a draft model trained with"
                    + " the target's tokenizer", e.getMessage());
        }
    }

    @Test
    void refusesVocabulariesOfDifferentSize() {
        try (Gpt2Tokenizer draft = Gpt2Tokenizer.load(TokenizerFixtures.TINY_TOKENIZER)) {
            SpecdecException e = assertThrows(SpecdecException.class,
                    () -> VocabularyCheck.requireSameVocabulary(target, TARGET, draft, TokenizerFixtures.TINY_TOKENIZER));
            assertEquals("draft model " + TokenizerFixtures.TINY_TOKENIZER + " and target model " + TARGET
                    + " use different tokenizers: token id 256 is \"Ġt\" in the target but \"he\" in the draft;"
                    + " choose a draft model trained with the target's tokenizer", e.getMessage());
        }
    }
}
