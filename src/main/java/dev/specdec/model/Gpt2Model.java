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
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A GPT-2 language model ({@code GPT2LMHeadModel}) loaded from a Hugging Face checkpoint folder.
 *
 * <p>Not thread-safe: one forward pass at a time per model. Caches belong to sequences, so one model
 * can serve several sequences in turn (a target and a self-draft, say) without copying weights.
 */
public final class Gpt2Model implements CausalLanguageModel, AutoCloseable {

    /**
     * Drafts with at most this many block weights load {@link BlockLayout#PER_HEAD}: the demo draft
     * (1.6 M) does, a distilgpt2-sized one (42 M) or a self-draft of gpt2 (85 M) does not.
     */
    static final long PER_HEAD_MAX_BLOCK_WEIGHTS = 8_000_000;

    /**
     * One transformer block's weights in {@code shards} shards ({@link BlockLayout}; one shard is
     * the whole block): shard s's {@code qkv[s]} computes the query, key and value columns of its
     * heads and {@code attnProj[s]} multiplies their attention output by its rows of attn.c_proj;
     * {@code fc[s]} computes its slice of c_fc and {@code fcProj[s]} the matching rows of mlp.c_proj.
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
    /** Shards per block: 1 ({@link BlockLayout#WHOLE}) or the number of heads. */
    private final int shards;
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
    private final AttentionJob attentionJob = new AttentionJob();
    private final MlpShardsJob mlpJob = new MlpShardsJob();

    private Gpt2Model(Checkpoint checkpoint, WeightFormat format, Parallel parallel, PackedWeightCache cache,
                      BlockLayout layout) {
        this.checkpoint = checkpoint;
        this.config = checkpoint.config();
        this.format = format;
        this.parallel = parallel;
        this.shards = layout == BlockLayout.PER_HEAD ? config.heads() : 1;
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
        int perBlock = 4 * shards;
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
        return load(directory, format, parallel, PackedWeightCache.fromEnvironment(), config -> BlockLayout.WHOLE);
    }

    /**
     * Loads a model to draft with: {@link BlockLayout#PER_HEAD} when its blocks are small (see
     * {@link #PER_HEAD_MAX_BLOCK_WEIGHTS}), else whole. A draft may sum in another order than the
     * checkpoint's reference implementation: the target verifies every token it proposes.
     */
    public static Gpt2Model loadDraft(Path directory, WeightFormat format) {
        return load(directory, format, Parallel.shared(), PackedWeightCache.fromEnvironment(), Gpt2Model::draftLayout);
    }

    static BlockLayout draftLayout(Gpt2Config config) {
        long c = config.embeddingSize();
        long blockWeights = config.layers() * (4 * c * c + 2 * c * config.innerSize());
        return blockWeights <= PER_HEAD_MAX_BLOCK_WEIGHTS ? BlockLayout.PER_HEAD : BlockLayout.WHOLE;
    }

    static Gpt2Model load(Path directory, WeightFormat format, Parallel parallel, PackedWeightCache cache,
                          Function<Gpt2Config, BlockLayout> layout) {
        Checkpoint checkpoint = Checkpoint.open(directory);
        try {
            return new Gpt2Model(checkpoint, format, parallel, cache, layout.apply(checkpoint.config()));
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
        int[][] shapes = matrixShapes(config, shards);
        Path file = cache.fileFor(checkpoint.files(), format, shards);
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
     * block {@code shards} shards each of c_attn (c x 3 x its share of c), attn.c_proj (that share
     * x c), c_fc (c x its slice of the MLP) and mlp.c_proj (that slice x c).
     */
    static int[][] matrixShapes(Gpt2Config config, int shards) {
        int c = config.embeddingSize();
        int perBlock = 4 * shards;
        int[][] shapes = new int[1 + perBlock * config.layers()][];
        shapes[0] = new int[] {c, config.vocabSize()};
        for (int l = 0; l < config.layers(); l++) {
            int at = 1 + perBlock * l;
            for (int s = 0; s < shards; s++) {
                int share = sliceEnd(c, shards, s) - sliceStart(c, shards, s);
                int slice = sliceEnd(config.innerSize(), shards, s) - sliceStart(config.innerSize(), shards, s);
                shapes[at + s] = new int[] {c, 3 * share};
                shapes[at + shards + s] = new int[] {share, c};
                shapes[at + 2 * shards + s] = new int[] {c, slice};
                shapes[at + 3 * shards + s] = new int[] {slice, c};
            }
        }
        return shapes;
    }

    /** Start of shard {@code s}'s slice of {@code size} columns cut into {@code shards}. */
    private static int sliceStart(int size, int shards, int s) {
        return (int) ((long) s * size / shards);
    }

    private static int sliceEnd(int size, int shards, int s) {
        return sliceStart(size, shards, s + 1);
    }

    /** Matrix {@code m} of the blocks' matrices (lm_head excluded) in the order of {@link #matrixShapes}. */
    private WeightMatrix shard(int m) {
        int c = config.embeddingSize();
        int inner = config.innerSize();
        int l = m / (4 * shards);
        int kind = m % (4 * shards) / shards;
        int s = m % shards;
        String p = "h." + l + ".";
        int from = sliceStart(c, shards, s);
        int to = sliceEnd(c, shards, s);
        int mlpFrom = sliceStart(inner, shards, s);
        int mlpTo = sliceEnd(inner, shards, s);
        return switch (kind) {
            case 0 -> shard(p + "attn.c_attn.weight", c, 3 * c, 0, c, qkvColumns(s));
            case 1 -> shard(p + "attn.c_proj.weight", c, c, from, to - from, IntStream.range(0, c).toArray());
            case 2 -> shard(p + "mlp.c_fc.weight", c, inner, 0, c, IntStream.range(mlpFrom, mlpTo).toArray());
            default -> shard(p + "mlp.c_proj.weight", inner, c, mlpFrom, mlpTo - mlpFrom, IntStream.range(0, c).toArray());
        };
    }

    /** Shard s's columns of c_attn: the query, then the key, then the value of its heads. */
    private int[] qkvColumns(int s) {
        int c = config.embeddingSize();
        int from = sliceStart(c, shards, s);
        int share = sliceEnd(c, shards, s) - from;
        int[] columns = new int[3 * share];
        for (int part = 0; part < 3; part++) {
            for (int d = 0; d < share; d++) {
                columns[part * share + d] = part * c + from + d;
            }
        }
        return columns;
    }

    /** Block {@code l} with its shards of c_attn, attn.c_proj, c_fc, mlp.c_proj. */
    private Block loadBlock(int l, WeightMatrix[] m) {
        int c = config.embeddingSize();
        int inner = config.innerSize();
        String p = "h." + l + ".";
        float[] qkvBias = vector(p + "attn.c_attn.bias", 3 * c);
        float[] fcBias = vector(p + "mlp.c_fc.bias", config.innerSize());
        float[][] headBias = new float[shards][];
        float[][] sliceBias = new float[shards][];
        for (int s = 0; s < shards; s++) {
            int[] columns = qkvColumns(s);
            headBias[s] = new float[columns.length];
            for (int j = 0; j < columns.length; j++) {
                headBias[s][j] = qkvBias[columns[j]];
            }
            sliceBias[s] = Arrays.copyOfRange(fcBias, sliceStart(inner, shards, s), sliceEnd(inner, shards, s));
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
        multiply(lmHead, h, n, null, logits, false);
        return Arrays.copyOf(logits, n);
    }

    @Override
    public float[] forwardLast(int[] tokens, KvCache cache) {
        float[][] logits = cache.logitsRows(1);
        multiply(lmHead, new float[][] {lastHiddenState(tokens, cache)}, 1, null, logits, false);
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

        embed(tokens, start);
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            layerNorm(x, b.ln1Gamma, b.ln1Beta, normed, n);
            attention(b, cache, l, start, n);
            layerNorm(x, b.ln2Gamma, b.ln2Beta, normed, n);
            mlp(b, n);
        }
        layerNorm(x, lnFGamma, lnFBeta, normed, n);
        cache.setLength(start + n);
        return normed;
    }

    /**
     * {@code x += c_proj(attention(c_attn(normed)))} for rows [0, n) at positions start.., appending
     * their keys and values to the layer's cache.
     */
    private void attention(Block b, KvCache cache, int layer, int start, int n) {
        attentionJob.set(b, cache, layer, start, n);
        if (shards == 1) {
            multiply(b.qkv[0], normed, n, b.qkvBias[0], shardQkv[0], false);
            parallel.forRange(config.heads(), attentionJob);
            multiply(b.attnProj[0], attnOut, n, b.attnProjBias, hidden, false);
            addInPlace(x, hidden, n, config.embeddingSize());
        } else {
            parallel.forRange(shards, attentionJob);
            addPartials(b.attnProjBias, n);
        }
    }

    /** {@code x += mlp.c_proj(gelu(c_fc(normed)))} for rows [0, n). */
    private void mlp(Block b, int n) {
        if (shards == 1) {
            multiply(b.fc[0], normed, n, b.fcBias[0], shardMlp[0], true);
            multiply(b.fcProj[0], shardMlp[0], n, b.fcProjBias, hidden, false);
            addInPlace(x, hidden, n, config.embeddingSize());
        } else {
            mlpJob.set(b, n);
            parallel.forRange(shards, mlpJob);
            addPartials(b.fcProjBias, n);
        }
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

    private static void addInPlace(float[][] acc, float[][] add, int n, int size) {
        for (int r = 0; r < n; r++) {
            float[] a = acc[r];
            float[] b = add[r];
            for (int i = 0; i < size; i++) {
                a[i] += b[i];
            }
        }
    }

    /** {@code x += bias + partial[0] + ... + partial[shards - 1]}, summed in that order, for rows [0, n). */
    private void addPartials(float[] bias, int n) {
        int c = config.embeddingSize();
        for (int r = 0; r < n; r++) {
            float[] xr = x[r];
            for (int i = 0; i < c; i++) {
                float sum = bias[i];
                for (float[][] p : partial) {
                    sum += p[r][i];
                }
                xr[i] += sum;
            }
        }
    }

    /** {@code out = in W + bias} (then GELU) for rows [0, n), the panels shared out among the team. */
    private void multiply(WeightMatrix w, float[][] in, int n, float[] bias, float[][] out, boolean gelu) {
        matrixJob.set(w, in, n, bias, out, gelu);
        parallel.forRange(w.panels(), matrixJob);
    }

    private static final class MatrixJob implements Parallel.RangeTask {
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
                // Each thread applies GELU to the columns it just computed.
                int end = Math.min(to * PanelLayout.WIDTH, w.outputSize());
                for (int r = 0; r < n; r++) {
                    Gelu.applyInPlace(out[r], from * PanelLayout.WIDTH, end);
                }
            }
        }
    }

    /**
     * Attention of rows [0, n) at positions start.. over the layer's cache. With whole blocks a call
     * takes heads [from, to) of the query, key and value already computed; per head, shards [from, to)
     * also compute them before and project the result after.
     */
    private final class AttentionJob implements Parallel.RangeTask {
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
                if (shards > 1) {
                    WeightMatrix w = block.qkv[h];
                    w.multiply(normed, n, block.qkvBias[h], shardQkv[h], 0, w.panels());
                }
                storeKeysValues(cache, layer, start, n, h);
                for (int r = 0; r < n; r++) {
                    Attention.attend(query[r], cache.keysT[layer], cache.values[layer], hs, cache.capacity,
                            start + r, scratch, attnOut[r], h, h + 1);
                }
                if (shards > 1) {
                    float[][] attn = shardAttn[h];
                    for (int r = 0; r < n; r++) {
                        System.arraycopy(attnOut[r], h * hs, attn[r], 0, hs);
                    }
                    WeightMatrix w = block.attnProj[h];
                    w.multiply(attn, n, null, partial[h], 0, w.panels());
                }
            }
        }
    }

    /**
     * Appends rows [0, n)'s key and value of head h to the layer's cache and places its query in the
     * full-width query rows. They come from the whole block's c_attn output (query, keys, values of
     * all heads) or from the head's shard (its query, key, value).
     */
    private void storeKeysValues(KvCache cache, int layer, int start, int n, int h) {
        int c = config.embeddingSize();
        int hs = config.headSize();
        int capacity = cache.capacity;
        float[] kT = cache.keysT[layer];
        float[] v = cache.values[layer];
        int from = h * hs;
        float[][] rows = shardQkv[shards == 1 ? 0 : h];
        int at = shards == 1 ? from : 0;
        int part = shards == 1 ? c : hs;
        for (int r = 0; r < n; r++) {
            int pos = start + r;
            float[] row = rows[r];
            System.arraycopy(row, at, query[r], from, hs);
            for (int d = 0; d < hs; d++) {
                kT[(from + d) * capacity + pos] = row[at + part + d];
            }
            System.arraycopy(row, at + 2 * part, v, pos * c + from, hs);
        }
    }

    /** A block's MLP for rows [0, n), per-head shards [from, to) per call. */
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
        int inner = config.innerSize();
        x = new float[rows][c];
        normed = new float[rows][c];
        query = new float[rows][c];
        attnOut = new float[rows][c];
        hidden = new float[rows][c];
        shardQkv = new float[shards][][];
        shardAttn = new float[shards][][];
        shardMlp = new float[shards][][];
        partial = new float[shards == 1 ? 0 : shards][rows][c];
        for (int s = 0; s < shards; s++) {
            int share = sliceEnd(c, shards, s) - sliceStart(c, shards, s);
            shardQkv[s] = new float[rows][3 * share];
            shardAttn[s] = shards == 1 ? null : new float[rows][share];
            shardMlp[s] = new float[rows][sliceEnd(inner, shards, s) - sliceStart(inner, shards, s)];
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
