package dev.specdec.cli;

import dev.specdec.UsageException;
import dev.specdec.decode.GenerationConfig;
import picocli.CommandLine.Option;

/** Options of the decoding loop shared by generate, compare and bench. */
final class DecodingOptions {

    @Option(names = {"-n", "--max-new-tokens"}, paramLabel = "N", defaultValue = "64",
            description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = {"-k", "--k"}, paramLabel = "K", defaultValue = "4",
            description = "Draft tokens proposed per target pass, or 'auto' for transformers' heuristic "
                    + "schedule from 4 up to 8; --lookup uses --lookup-tokens instead (default: ${DEFAULT-VALUE}).")
    String k;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "Sampling temperature; 0 means greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Keep only the K most likely tokens when sampling (0: off).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Nucleus sampling threshold (1: off).")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ignore-eos", description = "Keep generating past the end-of-text token.")
    boolean ignoreEos;

    GenerationConfig config() {
        GenerationConfig.Builder b = GenerationConfig.builder()
                .maxNewTokens(maxNewTokens)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .seed(seed)
                .stopAtEos(!ignoreEos);
        if (k.trim().equalsIgnoreCase("auto")) {
            b.draftLength(AUTO_START_K).adaptiveDraftLength(AUTO_MAX_K);
        } else {
            int parsed;
            try {
                parsed = Integer.parseInt(k.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--k must be a whole number >= 1 or 'auto', got '" + k + "'");
            }
            b.draftLength(parsed);
        }
        return b.build();
    }

    /**
     * Where --k auto starts and how long its drafts may grow: on the demo pair this matched the best
     * fixed k (docs/DRAFTING.md), while fixed k of 6 or 8 lost to the cost of long target passes.
     */
    static final int AUTO_START_K = 4;
    static final int AUTO_MAX_K = 8;
}
