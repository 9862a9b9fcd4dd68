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
import java.util.List;

/**
 * A GPT-2 language model ({@code GPT2LMHeadModel}) loaded from a Hugging Face checkpoint folder.
 *
 * <p>Not thread-safe: one forward pass at a time per model. Caches belong to sequences, so one model
 * can serve several sequences in turn (a target and a self-draft, say) without copying weights.
 */
public final class Gpt2Model implements CausalLanguageModel, AutoCloseable {

    /**
     * One transformer block's weights, cut into {@code heads} shards (see {@link #hiddenStates}):
     * per head h, {@code qkv[h]} computes its query, key and value columns and {@code attnProj[h]}
     * projects its attention output (the rows of attn.c_proj it multiplies); per MLP shard s,
     * {@code fc[s]} computes a slice of c_fc's columns and {@code fcProj[s]} the matching rows of
     * mlp.c_proj. Each projection shard yields a partial sum of the block's output.
     */
    private record Block(float[] ln1Gamma, float[] ln1Beta, WeightMatrix[] qkv, float[][] qkvBias,
                         WeightMatrix[] attnProj, float[] attnProjBias, float[] ln2Gamma, float[] ln2Beta,
                         WeightMatrix[] fc, float[][] fcBias, WeightMatrix[] fcProj, float[] fcProjBias) {
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
    private float[][] query = new float[0][];
    private float[][] attnOut = new float[0][];
    private float[][] hidden = new float[0][];
    /** Per shard: its query, key and value columns; its heads' attention output; its MLP slice. */
    private float[][][] shardQkv = new float[0][][];
    private float[][][] shardAttn = new float[0][][];
    private float[][][] shardMlp = new float[0][][];
    /** Per shard: its partial sum of a block's projected output. */
    private float[][][] partial = new float[0][][];
    private final float[][] scores;
    // Reused for every parallel step, so that the steps of a forward pass allocate nothing.
    private final MatrixJob matrixJob = new MatrixJob();
    private final AttentionShardsJob attentionJob = new AttentionShardsJob();
    private final MlpShardsJob mlpJob = new MlpShardsJob();

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
        int perBlock = 4 * config.heads();
        for (int l = 0; l < blocks.length; l++) {
            blocks[l] = loadBlock(l, Arrays.copyOfRange(matrices, 1 + perBlock * l, 1 + perBlock * (l + 1)));
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
     * The weight matrices in the order lm_head, then per block the shards of c_attn, attn.c_proj,
     * c_fc and mlp.c_proj ({@link #matrixShapes}): mapped from the cache when it holds them, else
     * converted (and then saved to the cache).
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
                        : shard(m - 1);
            }
        });
        PackedWeightCache.write(file, format, packed);
        return packed;
    }

    /**
     * {input, output} of each weight matrix, in the order of {@link #loadMatrices}: lm_head, then per
     * block {@code heads} shards each of c_attn (c x 3 headSize), attn.c_proj (headSize x c), c_fc
     * (c x its slice of the MLP) and mlp.c_proj (that slice x c).
     */
    static int[][] matrixShapes(Gpt2Config config) {
        int c = config.embeddingSize();
        int shards = config.heads();
        int perBlock = 4 * shards;
        int[][] shapes = new int[1 + perBlock * config.layers()][];
        shapes[0] = new int[] {c, config.vocabSize()};
        for (int l = 0; l < config.layers(); l++) {
            int at = 1 + perBlock * l;
            for (int s = 0; s < shards; s++) {
                int slice = mlpSliceEnd(config, s) - mlpSliceStart(config, s);
                shapes[at + s] = new int[] {c, 3 * config.headSize()};
                shapes[at + shards + s] = new int[] {config.headSize(), c};
                shapes[at + 2 * shards + s] = new int[] {c, slice};
                shapes[at + 3 * shards + s] = new int[] {slice, c};
            }
        }
        return shapes;
    }

    /** First column of c_fc in MLP shard {@code s}. */
    private static int mlpSliceStart(Gpt2Config config, int s) {
        return (int) ((long) s * config.innerSize() / config.heads());
    }

    private static int mlpSliceEnd(Gpt2Config config, int s) {
        return mlpSliceStart(config, s + 1);
    }

    /** Matrix {@code m} of the blocks' matrices (lm_head excluded) in the order of {@link #matrixShapes}. */
    private WeightMatrix shard(int m) {
        int shards = config.heads();
        int c = config.embeddingSize();
        int hs = config.headSize();
        int l = m / (4 * shards);
        int kind = m % (4 * shards) / shards;
        int s = m % shards;
        String p = "h." + l + ".";
        return switch (kind) {
            case 0 -> shard(p + "attn.c_attn.weight", c, 3 * c, 0, c, headColumns(s));
            case 1 -> shard(p + "attn.c_proj.weight", c, c, s * hs, hs, range(0, c));
            case 2 -> shard(p + "mlp.c_fc.weight", c, config.innerSize(), 0, c,
                    range(mlpSliceStart(config, s), mlpSliceEnd(config, s)));
            default -> shard(p + "mlp.c_proj.weight", config.innerSize(), c, mlpSliceStart(config, s),
                    mlpSliceEnd(config, s) - mlpSliceStart(config, s), range(0, c));
        };
    }

    /** Head h's columns of c_attn: its query, key and value. */
    private int[] headColumns(int h) {
        int c = config.embeddingSize();
        int hs = config.headSize();
        int[] columns = new int[3 * hs];
        for (int part = 0; part < 3; part++) {
            for (int d = 0; d < hs; d++) {
                columns[part * hs + d] = part * c + h * hs + d;
            }
        }
        return columns;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    /** Block {@code l} with its shards of c_attn, attn.c_proj, c_fc, mlp.c_proj. */
    private Block loadBlock(int l, WeightMatrix[] m) {
        int c = config.embeddingSize();
        int shards = config.heads();
        String p = "h." + l + ".";
        float[] qkvBias = vector(p + "attn.c_attn.bias", 3 * c);
        float[] fcBias = vector(p + "mlp.c_fc.bias", config.innerSize());
        float[][] headBias = new float[shards][];
        float[][] sliceBias = new float[shards][];
        for (int s = 0; s < shards; s++) {
            int[] columns = headColumns(s);
            headBias[s] = new float[columns.length];
            for (int j = 0; j < columns.length; j++) {
                headBias[s][j] = qkvBias[columns[j]];
            }
            sliceBias[s] = Arrays.copyOfRange(fcBias, mlpSliceStart(config, s), mlpSliceEnd(config, s));
        }
        return new Block(
                vector(p + "ln_1.weight", c), vector(p + "ln_1.bias", c),
                Arrays.copyOfRange(m, 0, shards), headBias,
                Arrays.copyOfRange(m, shards, 2 * shards), vector(p + "attn.c_proj.bias", c),
                vector(p + "ln_2.weight", c), vector(p + "ln_2.bias", c),
                Arrays.copyOfRange(m, 2 * shards, 3 * shards), sliceBias,
                Arrays.copyOfRange(m, 3 * shards, 4 * shards), vector(p + "mlp.c_proj.bias", c));
    }

    private float[] vector(String name, int size) {
        Tensor t = checkpoint.tensor(name).requireShape(size);
        float[] out = new float[size];
        t.readFloats(0, out, 0, size);
        return out;
    }

    /**
     * Rows [firstRow, firstRow + rows) and the listed columns of a Conv1D weight, already
     * [input][output] = [in][out] in the file.
     */
    private WeightMatrix shard(String name, int in, int out, int firstRow, int rows, int[] columns) {
        Tensor t = checkpoint.tensor(name).requireShape(in, out);
        return pack(t, PanelSource.rowMajor(t::readFloats, out, firstRow, rows, columns), rows, columns.length);
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
            for (WeightMatrix[] shards : List.of(b.qkv, b.attnProj, b.fc, b.fcProj)) {
                for (WeightMatrix w : shards) {
                    total += w.bytes();
                }
            }
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
     *
     * <p>A block is two parallel steps, each over the shards (one per head): attention, where a
     * shard computes its head's query, key and value, attends and projects the result through its
     * rows of attn.c_proj; and the MLP, where a shard computes its slice of c_fc and projects it
     * through its rows of mlp.c_proj. Each step ends in one partial sum per shard, added to the
     * residual in shard order. Cut this way, a one-token pass of a small draft waits for the team
     * twice per block instead of five times (c_attn, attention, attn.c_proj, c_fc, mlp.c_proj), and
     * each wait costs ~1-2 us of cache-line transfers between cores against ~3 us of work.
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

        embed(tokens, start);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            layerNorm(x, b.ln1Gamma, b.ln1Beta, normed, n);
            attentionJob.set(b, cache, l, start, n); // appends these rows' keys and values to the cache
            parallel.forRange(config.heads(), attentionJob);
            addPartials(b.attnProjBias, n);

            layerNorm(x, b.ln2Gamma, b.ln2Beta, normed, n);
            mlpJob.set(b, n);
            parallel.forRange(config.heads(), mlpJob);
            addPartials(b.fcProjBias, n);
        }
        layerNorm(x, lnFGamma, lnFBeta, normed, n);
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

    private void layerNorm(float[][] in, float[] gamma, float[] beta, float[][] out, int n) {
        for (int r = 0; r < n; r++) {
            LayerNorm.apply(in[r], gamma, beta, config.layerNormEpsilon(), out[r], config.embeddingSize());
        }
    }

    /** {@code x += bias + partial[0] + ... + partial[shards - 1]}, summed in that order, for rows [0, n). */
    private void addPartials(float[] bias, int n) {
        int c = config.embeddingSize();
        for (int r = 0; r < n; r++) {
            float[] sum = hidden[r];
            System.arraycopy(bias, 0, sum, 0, c);
            for (float[][] p : partial) {
                float[] row = p[r];
                for (int i = 0; i < c; i++) {
                    sum[i] += row[i];
                }
            }
            float[] xr = x[r];
            for (int i = 0; i < c; i++) {
                xr[i] += sum[i];
            }
        }
    }

    /** {@code out = in W + bias} for rows [0, n), the panels shared out among the team. */
    private void multiply(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out) {
        matrixJob.set(w, in, n, bias, out);
        parallel.forRange(w.panels(), matrixJob);
    }

    private static final class MatrixJob implements Parallel.RangeTask {
        private WeightMatrix w;
        private float[][] in;
        private int n;
        private float[] bias;
        private float[][] out;

        void set(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out) {
            this.w = w;
            this.in = in;
            this.n = n;
            this.bias = bias;
            this.out = out;
        }

        @Override
        public void run(int from, int to) {
            w.multiply(in, n, bias, out, from, to);
        }
    }

    /** A block's attention for rows [0, n) at positions start.., heads [from, to) per call. */
    private final class AttentionShardsJob implements Parallel.RangeTask {
        private Block block;
        private KvCache cache;
        private int layer;
        private int start;
        private int n;

        void set(Block block, KvCache cache, int layer, int start, int n) {
            this.block = block;
            this.cache = cache;
            this.layer = layer;
            this.start = start;
            this.n = n;
        }

        @Override
        public void run(int from, int to) {
            int hs = config.headSize();
            // Chunks never share their first head, so its row of scores is this chunk's scratch.
            float[] scratch = scores[from];
            for (int h = from; h < to; h++) {
                float[][] qkv = shardQkv[h];
                float[][] attn = shardAttn[h];
                WeightMatrix w = block.qkv[h];
                w.multiply(normed, n, block.qkvBias[h], qkv, 0, w.panels());
                storeKeysValues(cache, layer, start, n, h);
                for (int r = 0; r < n; r++) {
                    Attention.attend(query[r], cache.keysT[layer], cache.values[layer], hs, cache.capacity,
                            start + r, scratch, attnOut[r], h, h + 1);
                    System.arraycopy(attnOut[r], h * hs, attn[r], 0, hs);
                }
                w = block.attnProj[h];
                w.multiply(attn, n, null, partial[h], 0, w.panels());
            }
        }
    }

    /**
     * Appends rows [0, n)'s key and value of head h (from its shard's output) to the layer's cache and
     * places its query in the full-width query rows.
     */
    private void storeKeysValues(KvCache cache, int layer, int start, int n, int h) {
        int c = config.embeddingSize();
        int hs = config.headSize();
        int capacity = cache.capacity;
        float[] kT = cache.keysT[layer];
        float[] v = cache.values[layer];
        int from = h * hs;
        for (int r = 0; r < n; r++) {
            int pos = start + r;
            float[] row = shardQkv[h][r];
            System.arraycopy(row, 0, query[r], from, hs);
            for (int d = 0; d < hs; d++) {
                kT[(from + d) * capacity + pos] = row[hs + d];
            }
            System.arraycopy(row, 2 * hs, v, pos * c + from, hs);
        }
    }

    /** A block's MLP for rows [0, n), shards [from, to) per call. */
    private final class MlpShardsJob implements Parallel.RangeTask {
        private Block block;
        private int n;

        void set(Block block, int n) {
            this.block = block;
            this.n = n;
        }

        @Override
        public void run(int from, int to) {
            for (int s = from; s < to; s++) {
                float[][] slice = shardMlp[s];
                WeightMatrix w = block.fc[s];
                w.multiply(normed, n, block.fcBias[s], slice, 0, w.panels());
                for (int r = 0; r < n; r++) {
                    Gelu.applyInPlace(slice[r], 0, w.outputSize());
                }
                w = block.fcProj[s];
                w.multiply(slice, n, null, partial[s], 0, w.panels());
            }
        }
    }

    private void ensureWorkspace(int n) {
        if (x.length >= n) {
            return;
        }
        int rows = Math.max(n, x.length * 2);
        int c = config.embeddingSize();
        int hs = config.headSize();
        int shards = config.heads();
        x = new float[rows][c];
        normed = new float[rows][c];
        query = new float[rows][c];
        attnOut = new float[rows][c];
        hidden = new float[rows][c];
        shardQkv = new float[shards][rows][3 * hs];
        shardAttn = new float[shards][rows][hs];
        shardMlp = new float[shards][][];
        partial = new float[shards][rows][c];
        for (int s = 0; s < shards; s++) {
            shardMlp[s] = new float[rows][mlpSliceEnd(config, s) - mlpSliceStart(config, s)];
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
