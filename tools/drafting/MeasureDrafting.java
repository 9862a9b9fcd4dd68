import dev.specdec.decode.Draft;
import dev.specdec.decode.DraftStrategy;
import dev.specdec.decode.Drafter;
import dev.specdec.decode.GenerationConfig;
import dev.specdec.decode.GenerationResult;
import dev.specdec.decode.Sampling;
import dev.specdec.decode.SpeculativeDecoder;
import dev.specdec.decode.TargetDecoder;
import dev.specdec.decode.TokenListener;
import dev.specdec.model.CausalLanguageModel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.KvCache;
import dev.specdec.model.WeightFormat;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import dev.specdec.tokenizer.TokenFrequencies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures, for each drafting option of docs/DRAFTING.md, the per-token acceptance alpha, the draft
 * cost ratio c (one-token draft step / one-token target step, timed alternately in this process) and
 * the greedy speed-up over plain decoding on the same prompts, next to Leviathan et al.'s prediction
 * (1 - alpha^(k+1)) / ((1 - alpha)(1 + k c)).
 *
 * <pre>
 * mvn -q -o package -DskipTests   # or any build of target/classes
 * java --add-modules jdk.incubator.vector -cp target/classes:$(cat cp.txt) tools/drafting/MeasureDrafting.java \
 *     models/demo-target models/demo-draft models/heldout-prompts.txt models/vocab/gpt2-brown.txt \
 *     [prompts] [tokens] [k] [OPTION | verify | schedules | sampling]
 * </pre>
 *
 * Run one OPTION per JVM (tools/drafting/measure.sh does): once the JIT has compiled the kernels for
 * one weight format alone, a format loaded later in the same process can run several times slower.
 */
public final class MeasureDrafting {

    private static final int REPEATS = 2;

    /** Counts the draft tokens the target examined: the accepted ones plus the first rejected one of each pass. */
    private static final class Counting implements Drafter {
        final Drafter inner;
        long examined;
        long accepted;
        long drafts;
        long draftTokens;

        Counting(Drafter inner) {
            this.inner = inner;
        }

        @Override
        public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
            Draft d = inner.propose(context, length, maxTokens, sampling);
            drafts++;
            draftTokens += d.size();
            return d;
        }

        @Override
        public void onVerified(int proposed, int acceptedCount) {
            examined += acceptedCount + (acceptedCount < proposed ? 1 : 0);
            accepted += acceptedCount;
            inner.onVerified(proposed, acceptedCount);
        }

        @Override
        public long draftPasses() {
            return inner.draftPasses();
        }

        @Override
        public int contextLength() {
            return inner.contextLength();
        }
    }

    public static void main(String[] args) throws Exception {
        Path targetDir = Path.of(args[0]);
        Path draftDir = Path.of(args[1]);
        List<String> lines = Files.readAllLines(Path.of(args[2])).stream().filter(l -> !l.isBlank()).toList();
        TokenFrequencies table = TokenFrequencies.read(Path.of(args[3]));
        int promptCount = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        int tokens = args.length > 5 ? Integer.parseInt(args[5]) : 48;
        int k = args.length > 6 ? Integer.parseInt(args[6]) : 4;
        String only = args.length > 7 ? args[7] : null;

        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(targetDir);
        List<int[]> prompts = new ArrayList<>();
        for (String line : lines.subList(0, Math.min(promptCount, lines.size()))) {
            prompts.add(tokenizer.encode(line));
        }
        Gpt2Model target = Gpt2Model.load(targetDir, WeightFormat.F32);
        int eos = target.config().eosTokenId();
        int[] v8192 = table.mostFrequent(8192);
        int[] v4096 = table.mostFrequent(4096);
        Map<String, DraftStrategy> options = new LinkedHashMap<>();
        options.put("draft f32", DraftStrategy.model().withDraftFormat(WeightFormat.F32));
        options.put("draft q8_0", DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0));
        options.put("draft f32, vocab 8192", DraftStrategy.model().withDraftFormat(WeightFormat.F32).withDraftVocabulary(v8192));
        options.put("draft q8_0, vocab 8192", DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0).withDraftVocabulary(v8192));
        options.put("draft q8_0, vocab 4096", DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0).withDraftVocabulary(v4096));
        options.put("draft q8_0, vocab 8192, p_min 0.2", DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0)
                .withDraftVocabulary(v8192).withConfidence(0.2));
        options.put("draft q8_0, vocab 8192, p_min 0.4", DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0)
                .withDraftVocabulary(v8192).withConfidence(0.4));
        options.put("self-int8", DraftStrategy.selfInt8());
        options.put("self-int8, vocab 8192", DraftStrategy.selfInt8().withDraftVocabulary(v8192));
        options.put("lookup", DraftStrategy.lookup());
        options.put("lookup + draft q8_0, vocab 8192", DraftStrategy.combined().withDraftFormat(WeightFormat.Q8_0)
                .withDraftVocabulary(v8192));

        if ("verify".equals(only)) {
            verifyCost(target, prompts.get(0));
            target.close();
            return;
        }
        if ("sampling".equals(only)) {
            sampling(target, draftDir, v8192, prompts, tokens, k);
            target.close();
            return;
        }
        if ("schedules".equals(only)) {
            schedules(target, draftDir, v8192, prompts, tokens);
            target.close();
            return;
        }
        Map<String, Gpt2Model> loaded = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "target %s f32, draft %s, %d prompts x %d tokens, greedy, k = %d%n%n",
                targetDir.getFileName(), draftDir.getFileName(), prompts.size(), tokens, k);
        System.out.println("| option | alpha | mean draft | c | tokens/pass | predicted | measured speed-up |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, DraftStrategy> e : options.entrySet()) {
            if (only != null && !e.getKey().equals(only)) {
                continue;
            }
            DraftStrategy s = e.getValue();
            CausalLanguageModel view = null;
            if (s.needsDraftModel()) {
                Path folder = s.draftsWithTarget() ? targetDir : draftDir;
                WeightFormat format = s.draftFormat(WeightFormat.F32);
                Gpt2Model draft = loaded.computeIfAbsent(folder + "|" + format, key -> Gpt2Model.load(folder, format));
                view = s.draftModel(draft);
            }
            GenerationConfig config = s.configure(GenerationConfig.builder().maxNewTokens(tokens).draftLength(k)
                    .stopAtEos(false).build());
            // Warm-up: the JIT compiles each weight format's kernel on first use.
            new SpeculativeDecoder(target, s.drafter(target, view), eos).generate(prompts.get(0), config, TokenListener.NONE);
            double c = view == null ? 0 : costRatio(target, view, prompts.get(0));
            long plainNanos = 0;
            long specNanos = 0;
            long examined = 0;
            long accepted = 0;
            long drafts = 0;
            long draftTokens = 0;
            long passes = 0;
            long generated = 0;
            for (int[] prompt : prompts) {
                GenerationResult plain = null;
                GenerationResult spec = null;
                Counting drafter = null;
                long bestPlain = Long.MAX_VALUE;
                long bestSpec = Long.MAX_VALUE;
                // Alternate and keep the fastest of each: the machine is shared, and noise only adds time.
                for (int repeat = 0; repeat < REPEATS; repeat++) {
                    plain = new TargetDecoder(target, eos).generate(prompt, config, TokenListener.NONE);
                    drafter = new Counting(s.drafter(target, view));
                    spec = new SpeculativeDecoder(target, drafter, eos).generate(prompt, config, TokenListener.NONE);
                    if (!Arrays.equals(plain.tokens(), spec.tokens())) {
                        throw new IllegalStateException(e.getKey() + ": speculative output differs from greedy");
                    }
                    bestPlain = Math.min(bestPlain, plain.stats().totalNanos());
                    bestSpec = Math.min(bestSpec, spec.stats().totalNanos());
                }
                plainNanos += bestPlain;
                specNanos += bestSpec;
                examined += drafter.examined;
                accepted += drafter.accepted;
                drafts += drafter.drafts;
                draftTokens += drafter.draftTokens;
                passes += spec.stats().targetPasses();
                generated += spec.tokens().length;
            }
            double alpha = examined == 0 ? 0 : (double) accepted / examined;
            double meanDraft = drafts == 0 ? 0 : (double) draftTokens / drafts;
            int kUsed = config.draftLength();
            double perPass = alpha >= 1 ? kUsed + 1 : (1 - Math.pow(alpha, kUsed + 1)) / (1 - alpha);
            double predicted = perPass / (1 + kUsed * c);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.2f | %.3f | %.2f | %.2fx | %.2fx |%n", e.getKey(), alpha,
                    meanDraft, c, (double) generated / passes, predicted, (double) plainNanos / specNanos);
        }
        loaded.values().forEach(Gpt2Model::close);
        target.close();
        tokenizer.close();
    }

    /** Median time of a target pass over n tokens relative to one token: the cost of verifying k = n - 1. */
    private static void verifyCost(Gpt2Model target, int[] prompt) {
        KvCache cache = target.newCache();
        target.forward(prompt, cache);
        int rounds = 60;
        int longest = 12;
        long[][] t = new long[longest + 1][rounds];
        for (int r = -40; r < rounds; r++) {
            for (int n = 1; n <= longest; n++) {
                int[] tokens = Arrays.copyOf(prompt, n);
                long a = System.nanoTime();
                target.forward(tokens, cache);
                long b = System.nanoTime();
                cache.truncate(prompt.length);
                if (r >= 0) {
                    t[n][r] = b - a;
                }
            }
        }
        System.out.println("| tokens per target pass (k + 1) | time / one-token time |");
        System.out.println("|---|---|");
        for (int n = 1; n <= longest; n++) {
            Arrays.sort(t[n]);
        }
        for (int n = 1; n <= longest; n++) {
            System.out.printf(Locale.ROOT, "| %d | %.2f |%n", n, (double) t[n][rounds / 2] / t[1][rounds / 2]);
        }
    }

    private static GenerationConfig.Builder greedy(int tokens, int k) {
        return GenerationConfig.builder().maxNewTokens(tokens).stopAtEos(false).draftLength(k);
    }

    /** Fixed draft lengths against adaptive schedules, with the default draft (q8_0, 8192 ids). */
    private static void schedules(Gpt2Model target, Path draftDir, int[] vocabulary, List<int[]> prompts, int tokens) {
        int eos = target.config().eosTokenId();
        DraftStrategy s = DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0).withDraftVocabulary(vocabulary);
        Map<String, GenerationConfig> configs = new LinkedHashMap<>();
        for (int k : new int[] {1, 2, 3, 4, 5, 6, 8}) {
            configs.put("k = " + k, greedy(tokens, k).build());
        }
        for (int[] auto : new int[][] {{4, 8}, {2, 6}, {3, 6}, {2, 8}, {3, 10}}) {
            configs.put("auto " + auto[0] + ".." + auto[1], greedy(tokens, auto[0]).adaptiveDraftLength(auto[1]).build());
        }
        for (double p : new double[] {0.2, 0.3, 0.5}) {
            configs.put("k = 8, p_min " + p, greedy(tokens, 8).build());
        }
        try (Gpt2Model draft = Gpt2Model.load(draftDir, WeightFormat.Q8_0)) {
            CausalLanguageModel view = s.draftModel(draft);
            System.out.printf(Locale.ROOT, "schedules, draft %s q8_0 vocab %d, %d prompts x %d tokens%n%n",
                    draftDir.getFileName(), vocabulary.length, prompts.size(), tokens);
            System.out.println("| schedule | tokens/pass | speed-up |");
            System.out.println("|---|---|---|");
            for (Map.Entry<String, GenerationConfig> e : configs.entrySet()) {
                double pMin = e.getKey().contains("p_min") ? Double.parseDouble(e.getKey().replaceAll(".*p_min ", "")) : 0;
                DraftStrategy used = s.withConfidence(pMin);
                long plainNanos = 0;
                long specNanos = 0;
                long passes = 0;
                long generated = 0;
                for (int[] prompt : prompts) {
                    long bestPlain = Long.MAX_VALUE;
                    long bestSpec = Long.MAX_VALUE;
                    GenerationResult spec = null;
                    for (int repeat = 0; repeat < REPEATS; repeat++) {
                        GenerationResult plain = new TargetDecoder(target, eos).generate(prompt, e.getValue(), TokenListener.NONE);
                        spec = new SpeculativeDecoder(target, used.drafter(target, view), eos)
                                .generate(prompt, e.getValue(), TokenListener.NONE);
                        bestPlain = Math.min(bestPlain, plain.stats().totalNanos());
                        bestSpec = Math.min(bestSpec, spec.stats().totalNanos());
                    }
                    plainNanos += bestPlain;
                    specNanos += bestSpec;
                    passes += spec.stats().targetPasses();
                    generated += spec.tokens().length;
                }
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2fx |%n", e.getKey(), (double) generated / passes,
                        (double) plainNanos / specNanos);
            }
        }
    }

    /**
     * Plain against speculative sampling (temperature 0.8, top-p 0.95) with the default draft (q8_0,
     * 8192 ids): rounds over all prompts, the two alternated, a new seed per round, after warm-up rounds.
     */
    private static void sampling(Gpt2Model target, Path draftDir, int[] vocabulary, List<int[]> prompts, int tokens,
                                 int k) {
        int eos = target.config().eosTokenId();
        DraftStrategy s = DraftStrategy.model().withDraftFormat(WeightFormat.Q8_0).withDraftVocabulary(vocabulary);
        int warmups = 5;
        int rounds = 10;
        double[] plainRate = new double[rounds];
        double[] specRate = new double[rounds];
        long proposed = 0;
        long accepted = 0;
        try (Gpt2Model draft = Gpt2Model.load(draftDir, WeightFormat.Q8_0)) {
            CausalLanguageModel view = s.draftModel(draft);
            for (int r = -warmups; r < rounds; r++) {
                GenerationConfig config = greedy(tokens, k).temperature(0.8).topP(0.95).seed(r + warmups).build();
                long plainNanos = 0;
                long specNanos = 0;
                long plainTokens = 0;
                long specTokens = 0;
                for (int[] prompt : prompts) {
                    GenerationResult plain = new TargetDecoder(target, eos).generate(prompt, config, TokenListener.NONE);
                    GenerationResult spec = new SpeculativeDecoder(target, s.drafter(target, view), eos)
                            .generate(prompt, config, TokenListener.NONE);
                    plainNanos += plain.stats().totalNanos();
                    specNanos += spec.stats().totalNanos();
                    plainTokens += plain.tokens().length;
                    specTokens += spec.tokens().length;
                    if (r >= 0) {
                        proposed += spec.stats().proposedTokens();
                        accepted += spec.stats().acceptedTokens();
                    }
                }
                if (r >= 0) {
                    plainRate[r] = plainTokens * 1e9 / plainNanos;
                    specRate[r] = specTokens * 1e9 / specNanos;
                }
            }
        }
        Arrays.sort(plainRate);
        Arrays.sort(specRate);
        System.out.printf(Locale.ROOT, "sampling (temperature 0.8, top-p 0.95), draft %s q8_0 vocab %d, k = %d, "
                + "%d prompts x %d tokens, %d rounds%n%n", draftDir.getFileName(), vocabulary.length, k, prompts.size(),
                tokens, rounds);
        System.out.println("| plain sampling, tok/s | speculative sampling, tok/s | speculative / plain | acceptance |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %.0f [%.0f-%.0f] | %.0f [%.0f-%.0f] | %.2f | %.2f |%n",
                plainRate[rounds / 2], plainRate[0], plainRate[rounds - 1], specRate[rounds / 2], specRate[0],
                specRate[rounds - 1], specRate[rounds / 2] / plainRate[rounds / 2], (double) accepted / proposed);
    }

    /**
     * Median one-token step of the draft over the target's, both at the position after {@code prompt},
     * timed alternately so that both see the same machine load. The draft's step is the one its
     * drafter runs: the scored logits only, when its output is pruned.
     */
    private static double costRatio(Gpt2Model target, CausalLanguageModel draft, int[] prompt) {
        KvCache targetCache = target.newCache();
        KvCache draftCache = draft.newCache();
        target.forward(prompt, targetCache);
        draft.forward(prompt, draftCache);
        int rounds = 100;
        long[] t = new long[rounds];
        long[] d = new long[rounds];
        int[] one = {prompt[prompt.length - 1]};
        for (int i = -30; i < rounds; i++) {
            long a = System.nanoTime();
            target.forward(one, targetCache);
            long b = System.nanoTime();
            draft.forwardLastScored(one, draftCache);
            long c = System.nanoTime();
            targetCache.truncate(prompt.length);
            draftCache.truncate(prompt.length);
            if (i >= 0) {
                t[i] = b - a;
                d[i] = c - b;
            }
        }
        Arrays.sort(t);
        Arrays.sort(d);
        return (double) d[rounds / 2] / t[rounds / 2];
    }
}
