package dev.specdec.decode;

import dev.specdec.kernel.Parallel;
import dev.specdec.model.GoldenFixtures;
import dev.specdec.model.Gpt2Model;
import dev.specdec.model.WeightFormat;

import java.nio.file.Path;
import java.util.SplittableRandom;

/** Loads the fixture checkpoints for the decoding tests and makes reproducible prompts. */
final class DecodeFixtures {

    /**
     * The tiny models do microseconds of work per call, so one thread decodes them faster than a team
     * that has to be woken up, and leaves the machine's other cores to other tests.
     */
    private static final Parallel SINGLE_THREAD = new Parallel(1);

    private DecodeFixtures() {
    }

    static Gpt2Model load(String fixture) {
        return load(GoldenFixtures.folder(fixture));
    }

    static Gpt2Model load(Path folder) {
        return Gpt2Model.load(folder, WeightFormat.F32, SINGLE_THREAD);
    }

    /** A prompt of {@code length} ids drawn uniformly from [0, vocab). */
    static int[] randomPrompt(SplittableRandom random, int length, int vocab) {
        return random.ints(length, 0, vocab).toArray();
    }
}
