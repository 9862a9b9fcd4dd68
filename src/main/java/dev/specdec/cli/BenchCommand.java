package dev.specdec.cli;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import dev.specdec.bench.BenchJson;
import dev.specdec.bench.BenchPlan;
import dev.specdec.bench.BenchReport;
import dev.specdec.bench.BenchRunner;
import dev.specdec.bench.BenchTable;
import dev.specdec.bench.DraftVariant;
import dev.specdec.bench.DraftVariantCatalog;
import dev.specdec.bench.MachineInfo;
import dev.specdec.bench.SpeedupChart;
import dev.specdec.hub.ModelResolver;
import dev.specdec.kernel.Parallel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import dev.specdec.tokenizer.TokenFrequencies;
import dev.specdec.tokenizer.VocabularyCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code specdec bench}: plain greedy against speculative decoding over a sweep of k and drafting
 * variants, interleaved repeats after a warm-up, medians with their spread, a table, a PNG chart and
 * JSON. Fails when any speculative output differs from greedy's.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Sweep k and drafting variants against plain greedy: tokens/s, speed-up, acceptance, "
                + "draft cost; medians over interleaved repeats, a table and a PNG chart.")
final class BenchCommand implements Callable<Integer> {

    /** Prompts of the demo pair's training report: news, scripture, fiction, the notebook's own. */
    static final List<String> BUILT_IN_PROMPTS = List.of(
            PromptOptions.NOTEBOOK_PROMPT,
            "The jury said",
            "In the beginning",
            "She opened the door and");

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Target model folder or Hub id (default: the shipped demo target).")
    String model;

    @Option(names = {"-d", "--draft"}, paramLabel = "DRAFT",
            description = "Draft model folder or Hub id (default: the shipped demo draft when --model is not given).")
    String draft;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision of --model and --draft.")
    String revision;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "f32",
            description = "Weights of the target in memory: f32, bf16, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT",
            description = "A prompt to benchmark on; repeat for several (default: four built-in prompts).")
    List<String> prompts;

    @Option(names = "--prompts-file", paramLabel = "FILE", description = "Benchmark on every non-empty line of this file.")
    Path promptsFile;

    @Option(names = {"-n", "--max-new-tokens"}, paramLabel = "N", split = ",", splitSynopsisLabel = ",",
            defaultValue = "64",
            description = "Tokens to generate per prompt; several values run as separate workloads (default: ${DEFAULT-VALUE}).")
    List<Integer> tokenCounts;

    @Option(names = "--k-values", paramLabel = "K", split = ",", splitSynopsisLabel = ",",
            defaultValue = "1,2,3,4,6,8",
            description = "Draft lengths to sweep (default: ${DEFAULT-VALUE}).")
    List<Integer> kValues;

    @Option(names = "--draft-variants", paramLabel = "V", split = ",", splitSynopsisLabel = ",",
            description = "Drafting variants to compare: f32, bf16, f16, q8_0 (the draft model in that format), pruned "
                    + "(q8_0 draft over the --draft-vocab most frequent tokens), lookup (prompt lookup), combined "
                    + "(lookup, else the pruned or q8_0 draft), self-int8 (the target in q8_0) "
                    + "(default: f32,q8_0,pruned,lookup,combined; pruned only when a frequency table is found).")
    List<String> variantNames;

    @Option(names = "--draft-vocab", paramLabel = "N", defaultValue = "" + ModelOptions.DEFAULT_DRAFT_VOCABULARY,
            description = "Token ids the pruned variant keeps (default: ${DEFAULT-VALUE}).")
    int draftVocab;

    @Option(names = "--draft-vocab-file", paramLabel = "FILE",
            description = "Token frequency table for the pruned variant (default: the shipped models/"
                    + ModelOptions.SHIPPED_VOCABULARY_TABLE + ").")
    Path draftVocabFile;

    @Option(names = "--repeats", paramLabel = "R", defaultValue = "3",
            description = "Measured rounds; each runs every configuration once, in turn (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "1",
            description = "Untimed rounds of every configuration before measuring: at least W, then more (up to 30) until the "
                    + "JIT compiler spent under 2%% of a round compiling; 0 for none (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-text token.")
    boolean ignoreEos;

    @Option(names = "--chart", paramLabel = "FILE", defaultValue = "bench/out/speedup.png",
            description = "PNG chart of speed-up against k (default: ${DEFAULT-VALUE}).")
    Path chart;

    @Option(names = "--no-chart", description = "Write no chart.")
    boolean noChart;

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<String> promptTexts = promptTexts();
        if (variantNames != null) {
            DraftVariantCatalog.requireKnown(variantNames);
        }
        ModelResolver resolver = ModelResolver.fromEnvironment();
        boolean defaultPair = model == null;
        Path targetDir = resolver.resolve(defaultPair ? DemoModels.path(DemoModels.TARGET) : model, revision);
        String draftArg = draft != null ? draft : defaultPair ? DemoModels.path(DemoModels.DRAFT) : null;
        Path draftDir = draftArg == null ? null : resolver.resolve(draftArg, revision);
        WeightFormat targetFormat = WeightFormat.parse(dtype);
        Double loadStart = MachineInfo.loadAverage();
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(targetDir);
             Gpt2Model target = Gpt2Model.load(targetDir, targetFormat)) {
            if (draftDir != null) {
                try (Gpt2Tokenizer draftTokenizer = Gpt2Tokenizer.load(draftDir)) {
                    VocabularyCheck.requireSameVocabulary(tokenizer, targetDir, draftTokenizer, draftDir);
                }
            }
            int[] pruned = prunedVocabulary(tokenizer);
            List<String> names = variantNames != null ? variantNames : defaultVariants(draftDir != null, pruned != null);
            int longest = kValues.stream().mapToInt(Integer::intValue).max().orElse(1);
            try (DraftVariantCatalog catalog = new DraftVariantCatalog(target, targetDir, draftDir, pruned, longest)) {
                List<DraftVariant> variants = catalog.variants(names);
                List<BenchPlan.Prompt> encoded = new ArrayList<>();
                for (String text : promptTexts) {
                    int[] ids = tokenizer.encode(text);
                    if (ids.length == 0) {
                        throw new UsageException("a benchmark prompt is empty; remove empty prompts");
                    }
                    encoded.add(new BenchPlan.Prompt(text, ids));
                }
                BenchPlan plan = new BenchPlan(encoded, tokenCounts, kValues, variants, repeats, warmup, !ignoreEos);
                BenchReport report = new BenchRunner(target, target.config().eosTokenId(), System.err::println).run(plan);
                String title = targetDir.getFileName() + (draftDir == null ? "" : " / " + draftDir.getFileName())
                        + ", " + promptTexts.size() + " prompt" + (promptTexts.size() == 1 ? "" : "s")
                        + ", " + repeats + " repeat" + (repeats == 1 ? "" : "s");
                if (!noChart) {
                    SpeedupChart.write(report, title, chart);
                }
                if (json) {
                    System.out.println(Json.write(json(report, plan, target, targetDir, draftDir, loadStart)));
                } else {
                    System.out.print(BenchTable.render(report));
                    System.out.println("identical: all " + report.checkedGenerations()
                            + " speculative and repeated greedy generations matched plain greedy token for token");
                    if (!noChart) {
                        System.out.println("chart: " + chart);
                    }
                }
            }
        }
        return 0;
    }

    private List<String> promptTexts() {
        if (prompts != null && promptsFile != null) {
            throw new UsageException("give either --prompt or --prompts-file, not both");
        }
        if (promptsFile != null) {
            List<String> lines = PromptOptions.read(promptsFile).lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).toList();
            if (lines.isEmpty()) {
                throw new UsageException("--prompts-file " + promptsFile + " has no non-empty lines");
            }
            return lines;
        }
        return prompts != null ? prompts : BUILT_IN_PROMPTS;
    }

    /** The pruned variant's token ids, or null when no matching frequency table is available. */
    private int[] prunedVocabulary(Gpt2Tokenizer tokenizer) {
        if (draftVocab < 1) {
            throw new UsageException("--draft-vocab must be at least 1, got " + draftVocab);
        }
        Path table = draftVocabFile != null ? draftVocabFile : shippedTable();
        if (draftVocabFile == null && !Files.isRegularFile(table)) {
            return null;
        }
        TokenFrequencies frequencies = TokenFrequencies.read(table);
        if (!frequencies.matches(tokenizer)) {
            if (draftVocabFile != null) {
                throw new SpecdecException("token frequency table " + table + " was made with another tokenizer; "
                        + "make one for this model with specdec vocab-stats");
            }
            return null;
        }
        return frequencies.mostFrequent(draftVocab);
    }

    private static Path shippedTable() {
        String home = System.getProperty("specdec.home");
        Path relative = Path.of("models").resolve(ModelOptions.SHIPPED_VOCABULARY_TABLE);
        return home != null && Files.isRegularFile(Path.of(home).resolve(relative)) ? Path.of(home).resolve(relative) : relative;
    }

    static List<String> defaultVariants(boolean hasDraft, boolean hasTable) {
        List<String> names = new ArrayList<>();
        if (hasDraft) {
            names.add("f32");
            names.add("q8_0");
            if (hasTable) {
                names.add("pruned");
            }
        }
        names.add("lookup");
        if (hasDraft) {
            names.add("combined");
        } else {
            names.add("self-int8");
        }
        return names;
    }

    private Map<String, Object> json(BenchReport report, BenchPlan plan, Gpt2Model target, Path targetDir,
                                     Path draftDir, Double loadStart) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", targetDir.toString());
        m.put("draft", draftDir == null ? null : draftDir.toString());
        m.put("target_dtype", target.format().cliName());
        m.put("target_weight_bytes_per_step", target.weightBytesPerStep());
        MachineInfo machine = MachineInfo.current(Parallel.shared().threads());
        Map<String, Object> machineJson = new LinkedHashMap<>();
        machineJson.put("cpu_model", machine.cpuModel());
        machineJson.put("logical_cpus", machine.logicalCpus());
        machineJson.put("compute_threads", machine.computeThreads());
        machineJson.put("load_average_1m_start", loadStart);
        machineJson.put("load_average_1m_end", MachineInfo.loadAverage());
        m.put("machine", machineJson);
        List<Map<String, Object>> variants = new ArrayList<>();
        for (DraftVariant v : plan.variants()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", v.name());
            item.put("strategy", v.description());
            item.put("draft_weight_bytes_per_step", v.weightBytesPerStep());
            variants.add(item);
        }
        m.put("variants", variants);
        m.put("prompts", plan.prompts().stream().map(BenchPlan.Prompt::text).toList());
        m.put("max_new_tokens", plan.tokenCounts());
        m.put("k_values", plan.kValues());
        m.put("warmup", plan.warmups());
        m.put("stop_at_eos", plan.stopAtEos());
        m.put("chart", noChart ? null : chart.toString());
        m.putAll(BenchJson.results(report));
        return m;
    }
}
