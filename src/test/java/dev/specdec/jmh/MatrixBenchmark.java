package dev.specdec.jmh;

import dev.specdec.kernel.PanelSource;
import dev.specdec.kernel.Parallel;
import dev.specdec.kernel.WeightMatrix;
import dev.specdec.model.WeightFormat;
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

/**
 * One weight matrix of GPT-2's shapes times a batch of rows, on the shared thread team: the qkv,
 * MLP-up, MLP-down and output-layer multiplications of one decoding step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatrixBenchmark {

    @Param({"f32", "bf16", "f16", "q8_0"})
    public String format;

    /** input x output. */
    @Param({"768x2304", "768x3072", "3072x768", "768x50257"})
    public String shape;

    @Param({"1", "5", "9"})
    public int rows;

    private WeightMatrix matrix;
    private Parallel parallel;
    private float[][] x;
    private float[][] out;
    private float[] bias;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        int in = Integer.parseInt(dims[0]);
        int outSize = Integer.parseInt(dims[1]);
        Random random = new Random(1);
        float[] w = new float[in * outSize];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.02f;
        }
        parallel = Parallel.shared();
        matrix = WeightFormat.parse(format).pack(PanelSource.rowMajor(w, in, outSize), in, outSize, parallel);
        x = new float[rows][in];
        for (float[] row : x) {
            for (int i = 0; i < in; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        out = new float[rows][outSize];
        bias = new float[outSize];
    }

    @Benchmark
    public float[][] multiply() {
        matrix.multiply(parallel, x, rows, bias, out);
        return out;
    }
}
