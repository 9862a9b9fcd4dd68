package dev.specdec;

import dev.specdec.decode.Decoder;
import dev.specdec.decode.Drafter;
import dev.specdec.decode.GenerationConfig;
import dev.specdec.decode.GenerationResult;
import dev.specdec.decode.ModelDrafter;
import dev.specdec.decode.SpeculativeDecoder;
import dev.specdec.decode.TargetDecoder;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import dev.specdec.tokenizer.StreamingDetokenizer;
import dev.specdec.tokenizer.VocabularyCheck;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Text in, text out: a target model, its tokenizer and optionally a drafter, ready to generate.
 *
 * <pre>{@code
 * try (Generator generator = Generator.builder()
 *         .model(Path.of("models/demo-target"))
 *         .draft(Path.of("models/demo-draft"))
 *         .build()) {
 *     GenerationConfig config = GenerationConfig.builder().maxNewTokens(40).draftLength(4).build();
 *     Generation out = generator.generate("In a distant future", config, System.out::print);
 *     System.out.println(out.result().stats().acceptanceRate());
 * }
 * }</pre>
 */
public final class Generator implements AutoCloseable {

    /** Generated text together with the ids and statistics it came from. */
    public record Generation(String text, GenerationResult result) {
    }

    private final Gpt2Model target;
    private final Gpt2Tokenizer tokenizer;
    private final Gpt2Model draft;
    private final Function<Gpt2Model, Drafter> drafterFactory;

    private Generator(Gpt2Model target, Gpt2Tokenizer tokenizer, Gpt2Model draft,
                      Function<Gpt2Model, Drafter> drafterFactory) {
        this.target = target;
        this.tokenizer = tokenizer;
        this.draft = draft;
        this.drafterFactory = drafterFactory;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Gpt2Model target() {
        return target;
    }

    /** The draft model, or null when drafting uses no second model. */
    public Gpt2Model draft() {
        return draft;
    }

    public Gpt2Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Whether {@link #generate} decodes speculatively. */
    public boolean speculative() {
        return drafterFactory != null;
    }

    /** Tokenizes the prompt (no special tokens added). */
    public int[] encode(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            throw new UsageException("the prompt is empty; give at least one token of text");
        }
        return ids;
    }

    /**
     * Generates a continuation of {@code prompt}, speculatively when a drafter is configured;
     * {@code onText} (may be null) receives the text as it becomes final.
     */
    public Generation generate(String prompt, GenerationConfig config, Consumer<String> onText) {
        return run(speculative() ? speculativeDecoder() : plainDecoder(), encode(prompt), config, onText);
    }

    /** Generates with the target alone, one forward pass per token: the baseline speculation must match. */
    public Generation generateWithoutDraft(String prompt, GenerationConfig config, Consumer<String> onText) {
        return run(plainDecoder(), encode(prompt), config, onText);
    }

    /** Generates from token ids with the given decoder. */
    public Generation run(Decoder decoder, int[] promptIds, GenerationConfig config, Consumer<String> onText) {
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        GenerationResult result = decoder.generate(promptIds, config, token -> {
            String piece = detokenizer.push(token);
            if (onText != null && !piece.isEmpty()) {
                onText.accept(piece);
            }
        });
        String rest = detokenizer.flush();
        if (onText != null && !rest.isEmpty()) {
            onText.accept(rest);
        }
        return new Generation(tokenizer.decode(result.tokens()), result);
    }

    /** Plain decoding with the target model. */
    public Decoder plainDecoder() {
        return new TargetDecoder(target, target.config().eosTokenId());
    }

    /** Speculative decoding with a fresh drafter. */
    public Decoder speculativeDecoder() {
        if (drafterFactory == null) {
            throw new UsageException("no draft configured; pass --draft (a draft model folder or Hub id)");
        }
        return new SpeculativeDecoder(target, drafterFactory.apply(target), target.config().eosTokenId());
    }

    @Override
    public void close() {
        target.close();
        if (draft != null) {
            draft.close();
        }
        tokenizer.close();
    }

    /** Loads the models; call {@link #build()} last. */
    public static final class Builder {
        private Path model;
        private Path draft;
        private WeightFormat modelFormat = WeightFormat.F32;
        private WeightFormat draftFormat = WeightFormat.F32;
        private BiFunction<Gpt2Model, Gpt2Model, Drafter> customDrafter;

        /** Folder of the target checkpoint (required). */
        public Builder model(Path folder) {
            this.model = folder;
            return this;
        }

        /** Folder of a draft checkpoint sharing the target's tokenizer; drafts with a {@link ModelDrafter}. */
        public Builder draft(Path folder) {
            this.draft = folder;
            return this;
        }

        public Builder modelFormat(WeightFormat format) {
            this.modelFormat = Objects.requireNonNull(format);
            return this;
        }

        public Builder draftFormat(WeightFormat format) {
            this.draftFormat = Objects.requireNonNull(format);
            return this;
        }

        /**
         * A drafter built from the target and the loaded draft model (null when no {@link #draft} folder
         * was given), for drafters other than a plain draft model.
         */
        public Builder drafter(BiFunction<Gpt2Model, Gpt2Model, Drafter> factory) {
            this.customDrafter = factory;
            return this;
        }

        public Generator build() {
            if (model == null) {
                throw new UsageException("no target model given");
            }
            Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(model);
            Gpt2Model target = null;
            Gpt2Model draftModel = null;
            try {
                target = Gpt2Model.load(model, modelFormat);
                if (tokenizer.vocabSize() > target.vocabSize()) {
                    throw new SpecdecException("the tokenizer in " + model + " has " + tokenizer.vocabSize()
                            + " tokens but the model only " + target.vocabSize()
                            + "; the folder mixes files of different models");
                }
                if (draft != null) {
                    try (Gpt2Tokenizer draftTokenizer = Gpt2Tokenizer.load(draft)) {
                        VocabularyCheck.requireSameVocabulary(tokenizer, model, draftTokenizer, draft);
                    }
                    draftModel = Gpt2Model.load(draft, draftFormat);
                    if (draftModel.vocabSize() != target.vocabSize()) {
                        throw new SpecdecException("draft " + draft + " has a vocabulary of " + draftModel.vocabSize()
                                + " but the target " + model + " has " + target.vocabSize()
                                + "; pick a draft trained with the same tokenizer");
                    }
                }
                Function<Gpt2Model, Drafter> factory = null;
                Gpt2Model loadedDraft = draftModel;
                if (customDrafter != null) {
                    factory = t -> customDrafter.apply(t, loadedDraft);
                } else if (loadedDraft != null) {
                    factory = t -> new ModelDrafter(loadedDraft);
                }
                return new Generator(target, tokenizer, draftModel, factory);
            } catch (RuntimeException e) {
                if (draftModel != null) {
                    draftModel.close();
                }
                if (target != null) {
                    target.close();
                }
                tokenizer.close();
                throw e;
            }
        }
    }
}
