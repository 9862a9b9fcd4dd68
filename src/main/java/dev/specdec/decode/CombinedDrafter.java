package dev.specdec.decode;

/**
 * Prompt lookup first, a draft model when the lookup finds nothing: free drafts where the output
 * repeats the context, model drafts elsewhere. The model drafter skips the steps the lookup served
 * and catches up in one batched pass the next time it is asked, since it resyncs its cache by prefix.
 */
public final class CombinedDrafter implements Drafter {

    private final PromptLookupDrafter lookup;
    private final Drafter model;
    private long lookupDrafts;
    private boolean lastFromModel;

    public CombinedDrafter(PromptLookupDrafter lookup, Drafter model) {
        this.lookup = lookup;
        this.model = model;
    }

    @Override
    public Draft propose(int[] context, int length, int maxTokens, Sampling sampling) {
        Draft found = lookup.propose(context, length, maxTokens, sampling);
        lastFromModel = found.size() == 0;
        if (!lastFromModel) {
            lookupDrafts++;
            return found;
        }
        return model.propose(context, length, maxTokens, sampling);
    }

    @Override
    public void prefill(int[] context, int length) {
        model.prefill(context, length);
    }

    @Override
    public void onVerified(int proposed, int accepted) {
        if (lastFromModel) {
            model.onVerified(proposed, accepted);
        }
    }

    /** Drafts served by the lookup so far. */
    public long lookupDrafts() {
        return lookupDrafts;
    }

    @Override
    public long draftPasses() {
        return model.draftPasses();
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }
}
