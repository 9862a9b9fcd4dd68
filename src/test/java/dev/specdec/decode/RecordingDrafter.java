package dev.specdec.decode;

import java.util.ArrayList;
import java.util.List;

/** Wraps a drafter and records each block: what was asked of it, what it proposed, what was kept. */
final class RecordingDrafter implements Drafter {

    /**
     * One verified block. {@code requested} is the maxTokens of the propose call (0 when the decoder
     * did not call propose), {@code announced} the tokens announced before the block.
     */
    record Block(int announced, int requested, int[] draft, int proposed, int accepted) {
    }

    private final Drafter drafter;
    private final Transcript transcript;
    private final List<Block> blocks = new ArrayList<>();
    private int requested;
    private int[] draft = new int[0];

    RecordingDrafter(Drafter drafter, Transcript transcript) {
        this.drafter = drafter;
        this.transcript = transcript;
    }

    List<Block> blocks() {
        return List.copyOf(blocks);
    }

    @Override
    public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
        if (length != transcript.length()) {
            throw new AssertionError("drafter asked to continue " + length + " tokens, but "
                    + transcript.length() + " were announced");
        }
        Draft proposal = drafter.propose(context, length, maxTokens, sampling);
        requested = maxTokens;
        draft = proposal.tokens().clone();
        return proposal;
    }

    @Override
    public void onVerified(int proposed, int accepted) {
        blocks.add(new Block(transcript.length(), requested, draft, proposed, accepted));
        requested = 0;
        draft = new int[0];
        drafter.onVerified(proposed, accepted);
    }

    @Override
    public long draftPasses() {
        return drafter.draftPasses();
    }

    @Override
    public int contextLength() {
        return drafter.contextLength();
    }
}
