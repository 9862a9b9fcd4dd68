package dev.specdec.model;

import dev.specdec.SpecdecException;
import dev.specdec.io.Checkpoint;
import dev.specdec.io.Tensor;
import dev.specdec.kernel.Attention;
import dev.specdec.kernel.Gelu;
import dev.specdec.kernel.LayerNorm;
import dev.specdec.kernel.PanelLayout;
import dev.specdec.kernel.PanelSource;
import dev.specdec.kernel.Parallel;
import dev.specdec.kernel.WeightMatrix;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A GPT-2 language model ({@code GPT2LMHeadModel}) loaded from a Hugging Face checkpoint folder.
 *
 * <p>Not thread-safe: one forward pass at a time per model. Caches belong to sequences, so one model
 * can serve several sequences in turn (a target and a self-draft, say) without copying weights.
 */
public final class Gpt2Model implements CausalLanguageModel, AutoCloseable {

    /** One transformer block's weights. */
    private record Block(float[] ln1Gamma, float[] ln1Beta, WeightMatrix qkv, float[] qkvBias,
                         WeightMatrix attnProj, float[] attnProjBias, float[] ln2Gamma, float[] ln2Beta,
                         WeightMatrix fc, float[] fcBias, WeightMatrix fcProj, float[] fcProjBias) {
    }

    private final Gpt2Config config;
    private final WeightFormat format;
    private final Checkpoint checkpoint;
    private final Tensor tokenEmbedding;
    private final Tensor positionEmbedding;
    private final Block[] blocks;
    private final float[] lnFGamma;
    private final float[] lnFBeta;
    /** The output layer's [vocab][embedding] rows: lm_head.weight, or wte when tied. */
    private final Tensor outputEmbedding;
    private final WeightMatrix lmHead;
    private final Parallel parallel;
    /** Converts one matrix on the calling thread; loading runs several of these at once. */
    private static final Parallel SERIAL = new Parallel(1);

    // Activations of the current forward pass, grown to the largest batch seen.
    private float[][] x = new float[0][];
    private float[][] normed = new float[0][];
    private float[][] qkvOut = new float[0][];
    private float[][] query = new float[0][];
    private float[][] attnOut = new float[0][];
    private float[][] hidden = new float[0][];
    private float[][] mlp = new float[0][];
    private final float[][] scores;
    // Reused for every parallel step, so that the steps of a forward pass allocate nothing.
    private final MatrixJob matrixJob = new MatrixJob();
    private final AttentionJob attentionJob = new AttentionJob();

    private Gpt2Model(Checkpoint checkpoint, WeightFormat format, Parallel parallel, PackedWeightCache cache) {
        this.checkpoint = checkpoint;
        this.config = checkpoint.config();
        this.format = format;
        this.parallel = parallel;
        int c = config.embeddingSize();
        int v = config.vocabSize();
        this.tokenEmbedding = checkpoint.tensor("wte.weight").requireShape(v, c);
        this.positionEmbedding = checkpoint.tensor("wpe.weight").requireShape(config.contextLength(), c);
        this.lnFGamma = vector("ln_f.weight", c);
        this.lnFBeta = vector("ln_f.bias", c);
        this.outputEmbedding = checkpoint.has("lm_head.weight")
                ? checkpoint.tensor("lm_head.weight").requireShape(v, c)
                : tokenEmbedding;
        this.blocks = new Block[config.layers()];
        WeightMatrix[] matrices = loadMatrices(cache);
        for (int l = 0; l < blocks.length; l++) {
            blocks[l] = loadBlock(l, Arrays.copyOfRange(matrices, 1 + 4 * l, 5 + 4 * l));
        }
        this.lmHead = matrices[0];
        this.scores = new float[config.heads()][KvCache.capacityFor(config.contextLength())];
    }

    /** Loads a checkpoint folder with float32 weights. */
    public static Gpt2Model load(Path directory) {
        return load(directory, WeightFormat.F32);
    }

    /** Loads a checkpoint folder, converting the weight matrices to {@code format}. */
    public static Gpt2Model load(Path directory, WeightFormat format) {
        return load(directory, format, Parallel.shared());
    }

    /**
     * Loads a checkpoint folder with an explicit thread team. Large checkpoints map their packed
     * matrices from a file saved by an earlier load, if there is one (see {@link PackedWeightCache}).
     */
    public static Gpt2Model load(Path directory, WeightFormat format, Parallel parallel) {
        return load(directory, format, parallel, PackedWeightCache.fromEnvironment());
    }

    static Gpt2Model load(Path directory, WeightFormat format, Parallel parallel, PackedWeightCache cache) {
        Checkpoint checkpoint = Checkpoint.open(directory);
        try {
            return new Gpt2Model(checkpoint, format, parallel, cache);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /**
     * The weight matrices in the order lm_head, then per block c_attn, attn.c_proj, c_fc, mlp.c_proj:
     * mapped from the cache when it holds them, else converted (and then saved to the cache).
     */
    private WeightMatrix[] loadMatrices(PackedWeightCache cache) {
        int[][] shapes = matrixShapes(config);
        Path file = cache.fileFor(checkpoint.files(), format);
        WeightMatrix[] matrices = PackedWeightCache.read(file, format, shapes);
        if (matrices != null) {
            return matrices;
        }
        WeightMatrix[] packed = new WeightMatrix[shapes.length];
        // One matrix per thread at a time, the largest first: each thread then allocates, page-faults in
        // and fills its own arrays, which costs more than the conversion itself.
        parallel.forRange(shapes.length, (from, to) -> {
            for (int m = from; m < to; m++) {
                int in = shapes[m][0];
                int out = shapes[m][1];
                packed[m] = m == 0
                        ? pack(outputEmbedding, PanelSource.columnMajor(outputEmbedding::readFloats, in, out), in, out)
                        : matrix("h." + (m - 1) / 4 + "." + MATRIX_NAMES[(m - 1) % 4], in, out);
            }
        });
        PackedWeightCache.write(file, format, packed);
        return packed;
    }

    /** {input, output} of each weight matrix, in the order of {@link #loadMatrices}. */
    static int[][] matrixShapes(Gpt2Config config) {
        int c = config.embeddingSize();
        int[][] shapes = new int[1 + 4 * config.layers()][];
        shapes[0] = new int[] {c, config.vocabSize()};
        for (int l = 0; l < config.layers(); l++) {
            shapes[1 + 4 * l] = new int[] {c, 3 * c};
            shapes[2 + 4 * l] = new int[] {c, c};
            shapes[3 + 4 * l] = new int[] {c, config.innerSize()};
            shapes[4 + 4 * l] = new int[] {config.innerSize(), c};
        }
        return shapes;
    }

    private static final String[] MATRIX_NAMES = {
        "attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"};

    /** Block {@code l} with its matrices c_attn, attn.c_proj, c_fc, mlp.c_proj. */
    private Block loadBlock(int l, WeightMatrix[] m) {
        int c = config.embeddingSize();
        int inner = config.innerSize();
        String p = "h." + l + ".";
        return new Block(
                vector(p + "ln_1.weight", c), vector(p + "ln_1.bias", c),
                m[0], vector(p + "attn.c_attn.bias", 3 * c),
                m[1], vector(p + "attn.c_proj.bias", c),
                vector(p + "ln_2.weight", c), vector(p + "ln_2.bias", c),
                m[2], vector(p + "mlp.c_fc.bias", inner),
                m[3], vector(p + "mlp.c_proj.bias", c));
    }

    private float[] vector(String name, int size) {
        Tensor t = checkpoint.tensor(name).requireShape(size);
        float[] out = new float[size];
        t.readFloats(0, out, 0, size);
        return out;
    }

    /** A Conv1D weight, already [input][output] in the file. */
    private WeightMatrix matrix(String name, int in, int out) {
        Tensor t = checkpoint.tensor(name).requireShape(in, out);
        return pack(t, PanelSource.rowMajor(t::readFloats, in, out), in, out);
    }

    /** Converts straight from the mapped tensor into the format's packed arrays. */
    private WeightMatrix pack(Tensor t, PanelSource source, int in, int out) {
        try {
            return format.pack(source, in, out, SERIAL);
        } catch (IllegalArgumentException e) {
            throw new SpecdecException(t.file() + ": tensor " + t.name() + ": " + e.getMessage()
                    + "; load it with --dtype bf16 or f32", e);
        }
    }

    /**
     * A view of this model whose logits are computed only for {@code tokenIds} (every other logit is
     * -infinity), sharing the weights; see {@link PrunedVocabularyModel}.
     */
    public PrunedVocabularyModel withOutputVocabulary(int[] tokenIds) {
        return new PrunedVocabularyModel(this, tokenIds, outputEmbedding, parallel);
    }

    public Gpt2Config config() {
        return config;
    }

    public WeightFormat format() {
        return format;
    }

    /** The folder the weights were loaded from. */
    public Path directory() {
        return checkpoint.directory();
    }

    /** Bytes of weight matrices streamed by one forward pass (embedding rows not counted). */
    public long weightBytesPerStep() {
        long total = lmHead.bytes();
        for (Block b : blocks) {
            total += b.qkv.bytes() + b.attnProj.bytes() + b.fc.bytes() + b.fcProj.bytes();
        }
        return total;
    }

    /** Bytes of the output layer (lm_head) streamed by one forward pass. */
    long outputLayerBytes() {
        return lmHead.bytes();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public KvCache newCache() {
        return new KvCache(config);
    }

    @Override
    public float[][] forward(int[] tokens, KvCache cache) {
        int n = tokens.length;
        float[][] logits = cache.logitsRows(n);
        if (n == 0) {
            return new float[0][];
        }
        float[][] h = hiddenStates(tokens, cache);
        multiply(lmHead, h, n, null, logits);
        return Arrays.copyOf(logits, n);
    }

    @Override
    public float[] forwardLast(int[] tokens, KvCache cache) {
        float[][] logits = cache.logitsRows(1);
        multiply(lmHead, new float[][] {lastHiddenState(tokens, cache)}, 1, null, logits);
        return logits[0];
    }

    /** {@link #hiddenStates}, keeping only the last token's row (what {@code forwardLast} scores). */
    float[] lastHiddenState(int[] tokens, KvCache cache) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forwardLast needs at least one token");
        }
        return hiddenStates(tokens, cache)[tokens.length - 1];
    }

    /**
     * Runs {@code tokens} through the blocks and the final layer norm, appending them to the cache,
     * and returns the normalized hidden rows the output layer multiplies ({@code [>= n][embeddingSize]};
     * owned by the model and overwritten by its next pass).
     */
    float[][] hiddenStates(int[] tokens, KvCache cache) {
        int n = tokens.length;
        int start = cache.length();
        if (start + n > config.contextLength()) {
            throw new SpecdecException("sequence of " + (start + n) + " tokens is longer than the model's context of "
                    + config.contextLength() + " (n_positions); use a shorter prompt or fewer new tokens");
        }
        ensureWorkspace(n);
        cache.reserve(start + n);
        int c = config.embeddingSize();
        float eps = config.layerNormEpsilon();

        embed(tokens, start);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            for (int r = 0; r < n; r++) {
                LayerNorm.apply(x[r], b.ln1Gamma, b.ln1Beta, eps, normed[r], c);
            }
            multiply(b.qkv, normed, n, b.qkvBias, qkvOut);
            attend(cache, l, start, n); // appends these rows' keys and values to the cache first
            multiply(b.attnProj, attnOut, n, b.attnProjBias, hidden);
            addInPlace(x, hidden, n, c);

            for (int r = 0; r < n; r++) {
                LayerNorm.apply(x[r], b.ln2Gamma, b.ln2Beta, eps, normed[r], c);
            }
            multiplyGelu(b.fc, normed, n, b.fcBias, mlp);
            multiply(b.fcProj, mlp, n, b.fcProjBias, hidden);
            addInPlace(x, hidden, n, c);
        }
        for (int r = 0; r < n; r++) {
            LayerNorm.apply(x[r], lnFGamma, lnFBeta, eps, normed[r], c);
        }
        cache.setLength(start + n);
        return normed;
    }

    private void embed(int[] tokens, int start) {
        int c = config.embeddingSize();
        float[] pos = hidden[0];
        for (int r = 0; r < tokens.length; r++) {
            int token = tokens[r];
            if (token < 0 || token >= config.vocabSize()) {
                throw new SpecdecException("token id " + token + " is outside the model's vocabulary of "
                        + config.vocabSize() + "; the tokenizer does not match this model");
            }
            tokenEmbedding.readFloats((long) token * c, x[r], 0, c);
            positionEmbedding.readFloats((long) (start + r) * c, pos, 0, c);
            for (int i = 0; i < c; i++) {
                x[r][i] += pos[i];
            }
        }
    }

    /** Appends rows [0, n)'s keys and values of heads [headFrom, headTo) to the layer's cache. */
    private void storeKeysValues(KvCache cache, int layer, int start, int n, int headFrom, int headTo) {
        int c = config.embeddingSize();
        int capacity = cache.capacity;
        float[] kT = cache.keysT[layer];
        float[] v = cache.values[layer];
        int from = headFrom * config.headSize();
        int to = headTo * config.headSize();
        for (int r = 0; r < n; r++) {
            int pos = start + r;
            float[] row = qkvOut[r];
            System.arraycopy(row, from, query[r], from, to - from);
            for (int j = from; j < to; j++) {
                kT[j * capacity + pos] = row[c + j];
            }
            System.arraycopy(row, 2 * c + from, v, pos * c + from, to - from);
        }
    }

    /** {@code out = in W + bias} for rows [0, n), the panels shared out among the team. */
    private void multiply(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out) {
        matrixJob.set(w, in, n, bias, out, false);
        parallel.forRange(w.panels(), matrixJob);
    }

    /** {@code out = gelu(in W + bias)}: each thread applies GELU to the columns it just computed. */
    private void multiplyGelu(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out) {
        matrixJob.set(w, in, n, bias, out, true);
        parallel.forRange(w.panels(), matrixJob);
    }

    private final class MatrixJob implements Parallel.RangeTask {
        private WeightMatrix w;
        private float[][] in;
        private int n;
        private float[] bias;
        private float[][] out;
        private boolean gelu;

        void set(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out, boolean gelu) {
            this.w = w;
            this.in = in;
            this.n = n;
            this.bias = bias;
            this.out = out;
            this.gelu = gelu;
        }

        @Override
        public void run(int from, int to) {
            w.multiply(in, n, bias, out, from, to);
            if (gelu) {
                int end = Math.min(to * PanelLayout.WIDTH, w.outputSize());
                for (int r = 0; r < n; r++) {
                    Gelu.applyInPlace(out[r], from * PanelLayout.WIDTH, end);
                }
            }
        }
    }

    /**
     * Attention of rows [0, n) at positions start.. over the layer's cache, the heads shared out; each
     * thread first appends its heads' keys and values of these rows to the cache.
     */
    private void attend(KvCache cache, int layer, int start, int n) {
        attentionJob.set(cache, layer, start, n);
        parallel.forRange(config.heads(), attentionJob);
    }

    private final class AttentionJob implements Parallel.RangeTask {
        private KvCache cache;
        private int layer;
        private int start;
        private int n;

        void set(KvCache cache, int layer, int start, int n) {
            this.cache = cache;
            this.layer = layer;
            this.start = start;
            this.n = n;
        }

        @Override
        public void run(int from, int to) {
            // Chunks never share their first head, so its row of scores is this chunk's scratch.
            float[] scratch = scores[from];
            storeKeysValues(cache, layer, start, n, from, to);
            for (int r = 0; r < n; r++) {
                Attention.attend(query[r], cache.keysT[layer], cache.values[layer], config.headSize(),
                        cache.capacity, start + r, scratch, attnOut[r], from, to);
            }
        }
    }

    private static void addInPlace(float[][] acc, float[][] add, int n, int size) {
        for (int r = 0; r < n; r++) {
            float[] a = acc[r];
            float[] b = add[r];
            for (int i = 0; i < size; i++) {
                a[i] += b[i];
            }
        }
    }

    private void ensureWorkspace(int n) {
        if (x.length >= n) {
            return;
        }
        int rows = Math.max(n, x.length * 2);
        int c = config.embeddingSize();
        x = new float[rows][c];
        normed = new float[rows][c];
        qkvOut = new float[rows][3 * c];
        query = new float[rows][c];
        attnOut = new float[rows][c];
        hidden = new float[rows][c];
        mlp = new float[rows][config.innerSize()];
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
