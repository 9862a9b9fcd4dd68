package dev.specdec.jmh;

import dev.specdec.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A STREAM-like triad, {@code a[i] = b[i] + s * c[i]} over three float arrays, split across a thread
 * team: the memory bandwidth the forward pass is measured against. Counts 12 bytes per element, as
 * STREAM does; the best of several passes is reported (the first ones run before the JIT has
 * compiled the loop, so ask for a few dozen).
 */
final class TriadBandwidth {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private TriadBandwidth() {
    }

    /** Bytes per second moved by the best of {@code passes} triads over arrays of {@code totalBytes} in all. */
    static double measure(Parallel parallel, long totalBytes, int passes) {
        int n = (int) (totalBytes / 3 / Float.BYTES) / S.length() * S.length();
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        parallel.forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                b[i] = 1;
                c[i] = 2;
            }
        });
        int chunks = n / S.length();
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < passes; pass++) {
            long start = System.nanoTime();
            parallel.forRange(chunks, (from, to) -> {
                FloatVector s = FloatVector.broadcast(S, 3f);
                for (int k = from * S.length(); k < to * S.length(); k += S.length()) {
                    FloatVector.fromArray(S, c, k).fma(s, FloatVector.fromArray(S, b, k)).intoArray(a, k);
                }
            });
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        if (a[n - 1] != 7f) {
            throw new IllegalStateException("triad computed " + a[n - 1]);
        }
        return 3.0 * Float.BYTES * n / best;
    }
}
