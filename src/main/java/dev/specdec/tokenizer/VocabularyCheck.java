package dev.specdec.tokenizer;

import dev.specdec.SpecdecException;

import java.nio.file.Path;
import java.util.List;

/** Speculative decoding compares draft and target token ids directly, so both must use one vocabulary. */
public final class VocabularyCheck {
    private VocabularyCheck() {
    }

    /**
     * Succeeds when both tokenizers map every id to the same token string.
     *
     * @throws SpecdecException naming both folders and the first id that differs
     */
    public static void requireSameVocabulary(Gpt2Tokenizer target, Path targetDir, Gpt2Tokenizer draft, Path draftDir) {
        List<String> targetTokens = target.vocabulary();
        List<String> draftTokens = draft.vocabulary();
        int common = Math.min(targetTokens.size(), draftTokens.size());
        for (int id = 0; id < common; id++) {
            if (!targetTokens.get(id).equals(draftTokens.get(id))) {
                throw mismatch(targetDir, draftDir, "token id " + id + " is \"" + targetTokens.get(id)
                        + "\" in the target but \"" + draftTokens.get(id) + "\" in the draft");
            }
        }
        if (targetTokens.size() != draftTokens.size()) {
            throw mismatch(targetDir, draftDir, "the target has " + targetTokens.size() + " tokens and the draft "
                    + draftTokens.size() + " (first differing id " + common + ")");
        }
    }

    private static SpecdecException mismatch(Path targetDir, Path draftDir, String difference) {
        return new SpecdecException("draft model " + draftDir + " and target model " + targetDir
                + " use different tokenizers: " + difference
                + "; choose a draft model trained with the target's tokenizer");
    }
}
