package dev.specdec.io;

import dev.specdec.model.Gpt2Config;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Opens the checkpoints that transformers wrote (tools/reference/make_fixtures.py). The expected dtypes and
 * element values were read from the same files with the Python safetensors library.
 */
class ReferenceCheckpointsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @ParameterizedTest
    @CsvSource({
        "tiny-1l,          F32,  false, -0.14631395041942596, -0.054455842822790146, 0.31637710332870483",
        "tiny-3l,          F32,  false, 0.14526796340942383, -0.21763160824775696, 0.18276472389698029",
        "tiny-3l-noprefix, F32,  false, 0.14526796340942383, -0.21763160824775696, 0.18276472389698029",
        "tiny-3l-f16,      F16,  false, 0.145263671875, -0.2176513671875, 0.1827392578125",
        "tiny-3l-bf16,     BF16, false, 0.1455078125, -0.2177734375, 0.1826171875",
        "tiny-3l-lmhead,   F32,  true,  -0.07125259190797806, 0.007847861386835575, -0.15876327455043793",
        "full-vocab,       F16,  false, -0.09552001953125, -0.0928955078125, -0.283447265625",
        "v8-target,        F32,  false, -0.06967223435640335, -0.30057790875434875, 0.2560120224952698",
    })
    void opensWithEveryTensorShapedAsTheConfigImplies(String folder, DType dtype, boolean ownLmHead,
                                                       float first, float second, float last) {
        try (Checkpoint checkpoint = Checkpoint.open(FIXTURES.resolve(folder))) {
            Gpt2Config config = checkpoint.config();
            long e = config.embeddingSize();
            long inner = config.innerSize();
            int expectedTensors = 2 + 12 * config.layers() + 2 + (ownLmHead ? 1 : 0);
            assertEquals(expectedTensors, checkpoint.tensorNames().size(), checkpoint.tensorNames().toString());
            checkpoint.tensor("wte.weight").requireShape(config.vocabSize(), e);
            checkpoint.tensor("wpe.weight").requireShape(config.contextLength(), e);
            for (int layer = 0; layer < config.layers(); layer++) {
                String h = "h." + layer + ".";
                checkpoint.tensor(h + "ln_1.weight").requireShape(e);
                checkpoint.tensor(h + "ln_1.bias").requireShape(e);
                checkpoint.tensor(h + "attn.c_attn.weight").requireShape(e, 3 * e);
                checkpoint.tensor(h + "attn.c_attn.bias").requireShape(3 * e);
                checkpoint.tensor(h + "attn.c_proj.weight").requireShape(e, e);
                checkpoint.tensor(h + "attn.c_proj.bias").requireShape(e);
                checkpoint.tensor(h + "ln_2.weight").requireShape(e);
                checkpoint.tensor(h + "ln_2.bias").requireShape(e);
                checkpoint.tensor(h + "mlp.c_fc.weight").requireShape(e, inner);
                checkpoint.tensor(h + "mlp.c_fc.bias").requireShape(inner);
                checkpoint.tensor(h + "mlp.c_proj.weight").requireShape(inner, e);
                checkpoint.tensor(h + "mlp.c_proj.bias").requireShape(e);
            }
            checkpoint.tensor("ln_f.weight").requireShape(e);
            checkpoint.tensor("ln_f.bias").requireShape(e);
            assertEquals(ownLmHead, checkpoint.has("lm_head.weight"));
            if (ownLmHead) {
                checkpoint.tensor("lm_head.weight").requireShape(config.vocabSize(), e);
            }
            Tensor fc = checkpoint.tensor("h.0.mlp.c_fc.weight");
            assertEquals(dtype, fc.dtype());
            assertEquals(first, fc.getFloat(0));
            assertEquals(second, fc.getFloat(1));
            assertEquals(last, fc.getFloat(fc.elementCount() - 1));
        }
    }
}
