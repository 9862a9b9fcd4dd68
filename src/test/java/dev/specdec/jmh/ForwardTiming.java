package dev.specdec.jmh;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.KvCache;
import dev.specdec.model.WeightFormat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Times the forward pass of a checkpoint: load time (converting, then mapping the packed weights the
 * first load saved), one-token and five-token forwards after a
 * prompt, the weight bytes each step streams and, in the same run, the triad bandwidth those bytes
 * are bounded by. Forward times are the best of {@code --steps} runs (median in brackets) and the
 * bandwidth the best triad, as STREAM reports, so that a shared machine's noise mostly drops out.
 * Usage: {@code ForwardTiming <model-dir> [f32|bf16|f16|q8_0 ...] [--steps N]}.
 */
public final class ForwardTiming {

    private static final int PROMPT = 32;

    private ForwardTiming() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        List<WeightFormat> formats = new ArrayList<>();
        int steps = 40;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--steps")) {
                steps = Integer.parseInt(args[++i]);
            } else {
                formats.add(WeightFormat.parse(args[i]));
            }
        }
        if (formats.isEmpty()) {
            formats = List.of(WeightFormat.values());
        }
        // A fresh packed-weight cache: the first load of each format converts and saves, the second maps.
        Path cacheDir = Files.createTempDirectory("specdec-forward-timing");
        System.setProperty("specdec.packedCache", cacheDir.toString());
        Parallel parallel = Parallel.shared();
        double triad = TriadBandwidth.measure(parallel, 256L << 20, 40);
        System.out.printf(Locale.ROOT, "threads %d, triad bandwidth %.2f GB/s (256 MB arrays)%n",
                parallel.threads(), triad / 1e9);
        for (WeightFormat format : formats) {
            System.gc();
            long t0 = System.nanoTime();
            Gpt2Model.load(dir, format, parallel).close();
            double convertMs = (System.nanoTime() - t0) / 1e6;
            System.gc();
            t0 = System.nanoTime();
            try (Gpt2Model model = Gpt2Model.load(dir, format, parallel)) {
                double loadMs = (System.nanoTime() - t0) / 1e6;
                long bytes = model.weightBytesPerStep();
                double floorMs = bytes / triad * 1e3;
                double[][] times = forwardMs(model, steps);
                double[] one = times[0];
                double[] five = times[1];
                System.out.printf(Locale.ROOT, "%-5s load %5.0f ms converting, %4.0f ms mapped | %6.1f MB/step, floor %6.2f ms | "
                                + "1 token %6.2f ms [%6.2f] (%.2fx floor, %5.1f tok/s) | 5 tokens %6.2f ms [%6.2f] (%.2fx one)%n",
                        format.cliName(), convertMs, loadMs, bytes / 1e6, floorMs, one[0], one[1], one[0] / floorMs, 1e3 / one[0],
                        five[0], five[1], five[0] / one[0]);
            }
        }
        try (Stream<Path> files = Files.list(cacheDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(cacheDir);
        double after = TriadBandwidth.measure(parallel, 256L << 20, 40);
        System.out.printf(Locale.ROOT, "triad bandwidth after the runs %.2f GB/s%n", after / 1e9);
    }

    /**
     * Best and median times of a 1-token and a 5-token forward at position {@link #PROMPT}, each
     * rolled back after it; the two alternate so that both see the same machine load.
     */
    private static double[][] forwardMs(Gpt2Model model, int steps) {
        KvCache cache = model.newCache();
        int[] prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) {
            prompt[i] = (i * 7919) % model.vocabSize();
        }
        model.forward(prompt, cache);
        int[] sizes = {1, 5};
        double[][] ms = new double[2][steps];
        for (int s = -steps / 2; s < steps; s++) {
            for (int k = 0; k < sizes.length; k++) {
                int[] tokens = new int[sizes[k]];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = Math.floorMod(s * 31 + i * 101 + 1000, model.vocabSize());
                }
                long start = System.nanoTime();
                model.forward(tokens, cache);
                long end = System.nanoTime();
                cache.truncate(PROMPT);
                if (s >= 0) {
                    ms[k][s] = (end - start) / 1e6;
                }
            }
        }
        double[][] bestAndMedian = new double[2][];
        for (int k = 0; k < sizes.length; k++) {
            Arrays.sort(ms[k]);
            bestAndMedian[k] = new double[] {ms[k][0], ms[k][steps / 2]};
        }
        return bestAndMedian;
    }
}
