package dev.specdec.decode;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import dev.specdec.model.ContextLengthCopy;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mistakes a user can make with generation settings, prompts and draft models, and what they are told. */
class GenerationErrorsTest {

    private static final int EOS = 299;
    private static final int SHORT_CONTEXT = 32;

    private static Gpt2Model target;
    private static Gpt2Model draft;

    @BeforeAll
    static void load() {
        target = DecodeFixtures.load("tiny-3l");
        draft = DecodeFixtures.load("tiny-1l-draft");
    }

    @AfterAll
    static void close() {
        target.close();
        draft.close();
    }

    private static List<Decoder> decoders() {
        return List.of(new TargetDecoder(target, EOS), new SpeculativeDecoder(target, new ModelDrafter(draft), EOS));
    }

    private static String message(Class<? extends Throwable> type, Executable call) {
        String message = assertThrows(type, call).getMessage();
        assertTrue(!message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void draftLengthBelowOneIsAUsageError() {
        for (int k : new int[] {0, -1}) {
            String message = message(UsageException.class, () -> GenerationConfig.builder().draftLength(k));
            assertTrue(message.contains("--k") && message.contains("at least 1"), message);
        }
        String adaptive = message(UsageException.class, () -> GenerationConfig.builder().adaptiveDraftLength(0));
        assertTrue(adaptive.contains("at least 1"), adaptive);
    }

    @Test
    void emptyPromptIsAUsageError() {
        for (Decoder decoder : decoders()) {
            String message = message(UsageException.class,
                    () -> decoder.generate(new int[0], GenerationConfig.builder().build(), TokenListener.NONE));
            assertTrue(message.contains("prompt is empty"), message);
        }
    }

    @Test
    void promptThatFillsTheContextIsRefusedWithTheFix() {
        SplittableRandom random = new SplittableRandom(3);
        for (int length : new int[] {target.contextLength(), target.contextLength() + 5}) {
            int[] prompt = DecodeFixtures.randomPrompt(random, length, target.vocabSize());
            for (Decoder decoder : decoders()) {
                String message = message(SpecdecException.class,
                        () -> decoder.generate(prompt, GenerationConfig.builder().build(), TokenListener.NONE));
                assertTrue(message.contains(length + " tokens") && message.contains("context is 64")
                        && message.contains("shorten the prompt"), message);
            }
        }
    }

    @Test
    void draftWithAShorterContextThanTheGenerationNeedsIsRefusedWithTheFix(@TempDir Path dir) throws IOException {
        Path folder = ContextLengthCopy.write(GoldenFixtures.folder("tiny-1l-draft"), dir.resolve("short-draft"), SHORT_CONTEXT);
        try (Gpt2Model shortDraft = DecodeFixtures.load(folder)) {
            assertEquals(SHORT_CONTEXT, shortDraft.contextLength());
            int[] prompt = DecodeFixtures.randomPrompt(new SplittableRandom(5), 10, target.vocabSize());
            SpeculativeDecoder decoder = new SpeculativeDecoder(target, new ModelDrafter(shortDraft), -1);

            GenerationConfig tooLong = GenerationConfig.builder().maxNewTokens(30).build();
            String message = message(SpecdecException.class, () -> decoder.generate(prompt, tooLong, TokenListener.NONE));
            assertTrue(message.contains("context is " + SHORT_CONTEXT) && message.contains("needs 40")
                    && message.contains("lower --max-new-tokens"), message);

            // The same draft is fine while prompt + new tokens fit in its context.
            GenerationConfig fits = GenerationConfig.builder().maxNewTokens(SHORT_CONTEXT - prompt.length).build();
            GenerationResult result = decoder.generate(prompt, fits, TokenListener.NONE);
            GenerationResult plain = new TargetDecoder(target, -1).generate(prompt, fits, TokenListener.NONE);
            assertArrayEquals(plain.tokens(), result.tokens());
            assertEquals(StopReason.MAX_NEW_TOKENS, result.stopReason());
        }
    }
}
