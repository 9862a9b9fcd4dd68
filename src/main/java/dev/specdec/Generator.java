package dev.specdec;

import dev.specdec.decode.Decoder;
import dev.specdec.decode.DraftStrategy;
import dev.specdec.decode.Drafter;
import dev.specdec.decode.GenerationConfig;
import dev.specdec.decode.GenerationResult;
import dev.specdec.decode.ModelDrafter;
import dev.specdec.decode.SpeculativeDecoder;
import dev.specdec.decode.TargetDecoder;
import dev.specdec.decode.TokenListener;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import dev.specdec.tokenizer.StreamingDetokenizer;
import dev.specdec.tokenizer.TokenFrequencies;
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
    private final DraftStrategy strategy;

    private Generator(Gpt2Model target, Gpt2Tokenizer tokenizer, Gpt2Model draft,
                      Function<Gpt2Model, Drafter> drafterFactory, DraftStrategy strategy) {
        this.target = target;
        this.tokenizer = tokenizer;
        this.draft = draft;
        this.drafterFactory = drafterFactory;
        this.strategy = strategy;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Gpt2Model target() {
        return target;
    }

    /** How drafts are made, or null when a custom {@link Builder#drafter} or no drafting was configured. */
    public DraftStrategy strategy() {
        return strategy;
    }

    /** The draft model (for a self-draft, the target's second copy), or null when drafting uses no model. */
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
        if (!speculative()) {
            return run(plainDecoder(), encode(prompt), config, onText);
        }
        return run(speculativeDecoder(), encode(prompt), strategy == null ? config : strategy.configure(config), onText);
    }

    /** Generates with the target alone, one forward pass per token: the baseline speculation must match. */
    public Generation generateWithoutDraft(String prompt, GenerationConfig config, Consumer<String> onText) {
        return run(plainDecoder(), encode(prompt), config, onText);
    }

    /** Generates from token ids with the given decoder. */
    public Generation run(Decoder decoder, int[] promptIds, GenerationConfig config, Consumer<String> onText) {
        if (onText == null) {
            // Nobody streams: skip per-token detokenization, which would be timed as decoding work.
            GenerationResult result = decoder.generate(promptIds, config, TokenListener.NONE);
            return new Generation(tokenizer.decode(result.tokens()), result);
        }
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        GenerationResult result = decoder.generate(promptIds, config, token -> {
            String piece = detokenizer.push(token);
            if (!piece.isEmpty()) {
                onText.accept(piece);
            }
        });
        String rest = detokenizer.flush();
        if (!rest.isEmpty()) {
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
        /** Null: chosen from the target's format, as the command line's {@code --draft-dtype auto}. */
        private WeightFormat draftFormat;
        private BiFunction<Gpt2Model, Gpt2Model, Drafter> customDrafter;
        private DraftStrategy strategy;
        private TokenFrequencies draftVocabularyTable;
        private int draftVocabularySize;
        private boolean draftVocabularyRequired;

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

        /**
         * Weights of the {@link #draft} model in memory; by default q8_0 for an f32 or bf16 target (a
         * draft must be cheap, and int8 rounding barely changes what it proposes), else the target's format.
         */
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

        /**
         * Drafts as {@code strategy} says: it decides whether a draft model is loaded (from {@link #draft},
         * or the target's own folder for a self-draft) and in which format; {@link #draftFormat} is
         * ignored. Overridden by {@link #drafter}.
         */
        public Builder strategy(DraftStrategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /**
         * Prunes the {@link #strategy} draft's output layer to the {@code size} most frequent ids of
         * {@code table}. The table must have been made with the target's tokenizer; when it was not,
         * this fails if {@code required}, else drafts keep the full vocabulary.
         */
        public Builder draftVocabulary(TokenFrequencies table, int size, boolean required) {
            this.draftVocabularyTable = table;
            this.draftVocabularySize = size;
            this.draftVocabularyRequired = required;
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
                Path draftFolder = draft;
                WeightFormat draftWeights = draftFormat != null
                        ? draftFormat : DraftStrategy.model().draftFormat(modelFormat);
                DraftStrategy chosen = strategy;
                if (chosen != null && draftVocabularyTable != null) {
                    if (draftVocabularyTable.matches(tokenizer)) {
                        chosen = chosen.withDraftVocabulary(draftVocabularyTable.mostFrequent(draftVocabularySize));
                    } else if (draftVocabularyRequired) {
                        throw new UsageException("the token frequency table was made with another tokenizer than "
                                + model + "'s; make one with specdec vocab-stats --tokenizer " + model
                                + ", or pass --draft-vocab 0");
                    }
                }
                if (strategy != null && customDrafter == null) {
                    draftFolder = !strategy.needsDraftModel() ? null : strategy.draftsWithTarget() ? model : draft;
                    draftWeights = strategy.draftFormat(modelFormat);
                    if (strategy.needsDraftModel() && draftFolder == null) {
                        throw new UsageException("drafting with " + strategy.describe() + " needs a draft model; "
                                + "pass --draft, or --draft self-int8, or --lookup for none");
                    }
                    if (strategy.needsDraftModel() && !strategy.draftsWithTarget()) {
                        chosen = chosen.withDraftFormat(draftWeights);
                    }
                }
                if (draftFolder != null) {
                    try (Gpt2Tokenizer draftTokenizer = Gpt2Tokenizer.load(draftFolder)) {
                        VocabularyCheck.requireSameVocabulary(tokenizer, model, draftTokenizer, draftFolder);
                    }
                    draftModel = Gpt2Model.loadDraft(draftFolder, draftWeights);
                    if (draftModel.vocabSize() != target.vocabSize()) {
                        throw new SpecdecException("draft " + draftFolder + " has a vocabulary of " + draftModel.vocabSize()
                                + " but the target " + model + " has " + target.vocabSize()
                                + "; pick a draft trained with the same tokenizer");
                    }
                }
                Function<Gpt2Model, Drafter> factory = null;
                Gpt2Model loadedDraft = draftModel;
                DraftStrategy used = null;
                if (customDrafter != null) {
                    factory = t -> customDrafter.apply(t, loadedDraft);
                } else if (chosen != null) {
                    used = chosen;
                    DraftStrategy drafting = chosen;
                    CausalLanguageModel draftView = chosen.draftModel(loadedDraft);
                    factory = t -> drafting.drafter(t, draftView);
                } else if (loadedDraft != null) {
                    factory = t -> new ModelDrafter(loadedDraft);
                }
                return new Generator(target, tokenizer, draftModel, factory, used);
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
