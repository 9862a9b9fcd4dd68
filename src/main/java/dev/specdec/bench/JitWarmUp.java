package dev.specdec.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;

/**
 * Untimed warm-up rounds that last until the just-in-time compiler has settled. On two cores the
 * compiler works beside the decoding threads for seconds, and until it has compiled the Vector API
 * kernels they run many times slower: rounds measured meanwhile ran a quarter to a half slow, and a
 * fixed single round left a demo run's kernels still being recompiled when timing began.
 */
public final class JitWarmUp {

    /** Share of a round's time the compiler may spend for the round to count as settled. */
    static final double QUIET = 0.02;
    /** Rounds added at most beyond the asked ones. */
    public static final int MAX_EXTRA_ROUNDS = 30;

    private JitWarmUp() {
    }

    /**
     * Runs {@code round} (given its index from 0) {@code minRounds} times, then again until one
     * round spent under 2% of its time compiling, at most {@link #MAX_EXTRA_ROUNDS} more; none when
     * {@code minRounds} is 0. Where the JVM cannot time compilation, exactly {@code minRounds}.
     *
     * @return the number of rounds run
     */
    public static int run(int minRounds, IntConsumer round) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        int rounds = minRounds == 0 ? 0 : minRounds + MAX_EXTRA_ROUNDS;
        for (int w = 0; w < rounds; w++) {
            long compiling = watchJit ? jit.getTotalCompilationTime() : 0;
            long start = System.nanoTime();
            round.accept(w);
            double roundMillis = (System.nanoTime() - start) / 1e6;
            boolean quiet = !watchJit || jit.getTotalCompilationTime() - compiling <= QUIET * roundMillis;
            if (w + 1 >= minRounds && quiet) {
                return w + 1;
            }
        }
        return rounds;
    }
}
