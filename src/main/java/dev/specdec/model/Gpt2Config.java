package dev.specdec.model;

/**
 * The hyper-parameters of a GPT-2 checkpoint, as read from its {@code config.json}.
 *
 * @param vocabSize      number of token ids ({@code vocab_size})
 * @param contextLength  maximum sequence length ({@code n_positions})
 * @param embeddingSize  width of the residual stream ({@code n_embd})
 * @param layers         number of transformer blocks ({@code n_layer})
 * @param heads          attention heads per block ({@code n_head})
 * @param innerSize      width of the MLP ({@code n_inner}, 4 x n_embd when null)
 * @param layerNormEpsilon epsilon of every layer norm ({@code layer_norm_epsilon})
 * @param eosTokenId     end-of-text token id ({@code eos_token_id}), -1 when absent
 */
public record Gpt2Config(int vocabSize, int contextLength, int embeddingSize, int layers, int heads,
                         int innerSize, float layerNormEpsilon, int eosTokenId) {

    /** Width of one attention head. */
    public int headSize() {
        return embeddingSize / heads;
    }
}
