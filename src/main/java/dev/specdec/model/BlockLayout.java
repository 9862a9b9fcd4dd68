package dev.specdec.model;

/**
 * How a model's blocks are laid out and shared out among the threads. Each layout sums every
 * output in one fixed order, so a forward's bits depend on the layout, never on the batch or
 * the number of threads.
 */
public enum BlockLayout {
    /**
     * Each block matrix whole, every step split by output columns among the threads: five
     * hand-overs per block (c_attn, attention, attn.c_proj, c_fc, mlp.c_proj). Large models stream
     * each matrix from memory at full speed this way; it is the layout Hugging Face's sums follow.
     */
    WHOLE,
    /**
     * Each block cut into one shard per head: attention, where a shard computes its head's
     * query, key and value, attends and projects through its rows of attn.c_proj, and the MLP,
     * where it computes a 1/heads slice of c_fc and projects through the matching rows of
     * mlp.c_proj; the shards' partial sums are added in shard order. Two hand-overs per block:
     * for a small draft, whose one-token pass is a few microseconds of work per step, each
     * hand-over costs ~1-2 us of cache-line transfers between cores, so a pass drops from 21 to
     * 9 of them. For a large model the many small matrices stream worse (gpt2-shaped q8_0: a
     * one-token step 3.3-3.8 -> 4.3-4.5 ms).
     */
    PER_HEAD
}
