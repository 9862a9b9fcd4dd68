package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.UsageException;
import dev.specdec.decode.DraftStrategy;
import dev.specdec.decode.PromptLookupDrafter;
import dev.specdec.hub.ModelResolver;
import dev.specdec.model.WeightFormat;
import dev.specdec.tokenizer.TokenFrequencies;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The --model / --draft options shared by the commands that run models, and how drafts are made. */
final class ModelOptions {

    /** The --draft value that drafts with a Q8_0 copy of the target. */
    static final String SELF_INT8 = "self-int8";
    /** Draft vocabulary kept by default when a frequency table for the tokenizer is shipped. */
    static final int DEFAULT_DRAFT_VOCABULARY = 8192;
    /** The shipped table for GPT-2's tokenizer, under the repository's models/ folder. */
    static final String SHIPPED_VOCABULARY_TABLE = "vocab/gpt2-brown.txt";

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Target model: a folder with config.json, model.safetensors and tokenizer.json, "
                    + "or a Hugging Face Hub id such as gpt2 (default: the shipped demo target).")
    String model;

    @Option(names = {"-d", "--draft"}, paramLabel = "DRAFT",
            description = "Draft model (folder or Hub id) sharing the target's tokenizer, or 'self-int8' to draft "
                    + "with a Q8_0 copy of the target itself.")
    String draft;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision (branch, tag or commit) of --model.")
    String revision;

    @Option(names = "--draft-revision", paramLabel = "REV", description = "Hub revision of --draft (default: main).")
    String draftRevision;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "f32",
            description = "Weights of the target in memory: f32, bf16, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--draft-dtype", paramLabel = "DTYPE", defaultValue = "auto",
            description = "Weights of the draft in memory: f32, bf16, f16, q8_0, or auto = q8_0 for an f32/bf16 "
                    + "target, else the target's (default: ${DEFAULT-VALUE}).")
    String draftDtype;

    @Option(names = "--draft-confidence", paramLabel = "P", defaultValue = "0",
            description = "End a draft after a token the draft model gives probability < P "
                    + "(0 = always draft --k tokens; default: ${DEFAULT-VALUE}).")
    double draftConfidence;

    @Option(names = "--draft-vocab", paramLabel = "N", defaultValue = "auto",
            description = "Draft output layer over the N most frequent token ids only (0 = full vocabulary; "
                    + "auto = " + DEFAULT_DRAFT_VOCABULARY + " when a frequency table for the tokenizer is "
                    + "available, else full; default: ${DEFAULT-VALUE}).")
    String draftVocab;

    @Option(names = "--draft-vocab-file", paramLabel = "FILE",
            description = "Token frequency table for --draft-vocab (from specdec vocab-stats; default: the "
                    + "shipped models/" + SHIPPED_VOCABULARY_TABLE + ").")
    Path draftVocabFile;

    @Option(names = "--lookup",
            description = "Draft by prompt lookup alone (no draft model): propose what followed the last "
                    + "n-gram's earlier occurrence; drafts are up to --lookup-tokens long.")
    boolean lookup;

    @Option(names = "--lookup-combined",
            description = "Prompt lookup when it finds a match, the draft model otherwise.")
    boolean lookupCombined;

    @Option(names = "--lookup-ngram", paramLabel = "N", defaultValue = "" + PromptLookupDrafter.DEFAULT_MAX_NGRAM,
            description = "Longest n-gram the lookup matches (tried first; default: ${DEFAULT-VALUE}).")
    int lookupNgram;

    @Option(names = "--lookup-min-ngram", paramLabel = "N", defaultValue = "" + PromptLookupDrafter.DEFAULT_MIN_NGRAM,
            description = "Shortest n-gram the lookup matches (default: ${DEFAULT-VALUE}).")
    int lookupMinNgram;

    @Option(names = "--lookup-tokens", paramLabel = "N", defaultValue = "" + PromptLookupDrafter.DEFAULT_TOKENS,
            description = "Most tokens one lookup draft proposes (with --lookup this replaces --k; "
                    + "default: ${DEFAULT-VALUE}).")
    int lookupTokens;

    /** Resolves the model names (downloading from the Hub when needed) and loads everything. */
    Generator load(boolean withDefaultDraft) {
        if (lookup && lookupCombined) {
            throw new UsageException("--lookup and --lookup-combined exclude each other; pick one");
        }
        if (lookup && draft != null) {
            throw new UsageException("--lookup drafts without a model; drop --draft, or use --lookup-combined");
        }
        String modelArg = model != null ? model : DemoModels.path(DemoModels.TARGET);
        String draftArg = draft != null ? draft
                : (withDefaultDraft && model == null && !lookup ? DemoModels.path(DemoModels.DRAFT) : null);
        boolean self = draftArg != null && SELF_INT8.equalsIgnoreCase(draftArg.trim());
        if (lookupCombined && draftArg == null) {
            throw new UsageException("--lookup-combined needs a draft model; pass --draft (or use --lookup alone)");
        }
        ModelResolver resolver = ModelResolver.fromEnvironment();
        Path modelDir = resolver.resolve(modelArg, revision);
        Path draftDir = draftArg == null || self || lookup ? null : resolver.resolve(draftArg, draftRevision);
        WeightFormat targetFormat = WeightFormat.parse(dtype);
        Generator.Builder builder = Generator.builder().model(modelDir).modelFormat(targetFormat);
        DraftStrategy strategy = strategy(self, draftArg != null);
        if (strategy != null) {
            builder.strategy(strategy);
            if (draftDir != null) {
                builder.draft(draftDir);
            }
            if (strategy.needsDraftModel()) {
                applyDraftVocabulary(builder);
            }
        }
        String what = modelDir.getFileName() + (draftDir == null ? "" : " + " + draftDir.getFileName());
        Generator generator = Progress.timed("loading " + what, builder::build);
        if (generator.strategy() != null) {
            System.err.println("drafting: " + generator.strategy().describe());
        }
        return generator;
    }

    /** The drafting strategy the options ask for; null for plain decoding. */
    private DraftStrategy strategy(boolean self, boolean hasDraft) {
        DraftStrategy.Kind kind;
        if (lookup) {
            kind = DraftStrategy.Kind.LOOKUP;
        } else if (!hasDraft) {
            return null;
        } else if (self && lookupCombined) {
            throw new UsageException("--lookup-combined works with a separate draft model, not --draft self-int8");
        } else if (self) {
            kind = DraftStrategy.Kind.SELF_INT8;
        } else {
            kind = lookupCombined ? DraftStrategy.Kind.COMBINED : DraftStrategy.Kind.MODEL;
        }
        DraftStrategy s = DraftStrategy.of(kind)
                .withConfidence(draftConfidence)
                .withLookup(lookupNgram, lookupMinNgram, lookupTokens);
        if (!draftDtype.trim().equalsIgnoreCase("auto")) {
            if (self) {
                throw new UsageException("--draft self-int8 always drafts in q8_0; drop --draft-dtype");
            }
            s = s.withDraftFormat(WeightFormat.parse(draftDtype));
        }
        return s;
    }

    private void applyDraftVocabulary(Generator.Builder builder) {
        boolean auto = draftVocab.trim().equalsIgnoreCase("auto");
        int size;
        if (auto) {
            size = DEFAULT_DRAFT_VOCABULARY;
        } else {
            try {
                size = Integer.parseInt(draftVocab.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--draft-vocab must be a whole number >= 0 or 'auto', got '" + draftVocab + "'");
            }
            if (size < 0) {
                throw new UsageException("--draft-vocab must be >= 0 (0 = full vocabulary), got " + size);
            }
        }
        if (size == 0) {
            return;
        }
        Path table = draftVocabFile != null ? draftVocabFile : shippedTable();
        if (table == null || (auto && draftVocabFile == null && !Files.isRegularFile(table))) {
            if (!auto) {
                throw new UsageException("--draft-vocab " + size + " needs a token frequency table; pass "
                        + "--draft-vocab-file (make one with specdec vocab-stats)");
            }
            return;
        }
        builder.draftVocabulary(TokenFrequencies.read(table), size, !auto || draftVocabFile != null);
    }

    /** The shipped GPT-2 table, under the launcher's repository or the working directory. */
    private static Path shippedTable() {
        String home = System.getProperty("specdec.home");
        if (home != null) {
            Path p = Path.of(home, "models", SHIPPED_VOCABULARY_TABLE);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return Path.of("models", SHIPPED_VOCABULARY_TABLE);
    }
}
