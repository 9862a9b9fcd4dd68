package dev.specdec.jmh;

import dev.specdec.kernel.Attention;
import dev.specdec.kernel.PanelLayout;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** One query row of GPT-2 (12 heads of 64) attending over one layer's cache, on one thread. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AttentionBenchmark {

    private static final int HEADS = 12;
    private static final int HEAD_SIZE = 64;

    @Param({"1024"})
    public int positions;

    private float[] q;
    private float[] kT;
    private float[] v;
    private float[] scores;
    private float[] out;
    private int capacity;

    @Setup
    public void setUp() {
        int width = HEADS * HEAD_SIZE;
        capacity = (positions + PanelLayout.WIDTH - 1) / PanelLayout.WIDTH * PanelLayout.WIDTH;
        Random random = new Random(2);
        q = new float[width];
        kT = new float[width * capacity];
        v = new float[width * capacity];
        for (int i = 0; i < width; i++) {
            q[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < kT.length; i++) {
            kT[i] = (float) random.nextGaussian();
            v[i] = (float) random.nextGaussian();
        }
        scores = new float[capacity];
        out = new float[width];
    }

    @Benchmark
    public float[] attendAllHeads() {
        Attention.attend(q, kT, v, HEAD_SIZE, capacity, positions - 1, scores, out, 0, HEADS);
        return out;
    }
}
