package dev.specdec.decode;

import dev.specdec.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The lookup's matching rule on hand-made sequences; every expected draft is worked out by hand. */
class PromptLookupDrafterTest {

    private static final int EOS = 99;

    private static int[] draft(PromptLookupDrafter drafter, int[] context, int maxTokens) {
        return drafter.propose(context, context.length, maxTokens, null).tokens();
    }

    @Test
    void proposesWhatFollowedTheEarlierOccurrenceOfTheLastTwoTokens() {
        PromptLookupDrafter drafter = new PromptLookupDrafter(2, 1, 10, EOS);
        // suffix (1, 2) occurs at position 0, followed by 3 4 5 and then the suffix itself.
        assertArrayEquals(new int[] {3, 4, 5, 1, 2}, draft(drafter, new int[] {1, 2, 3, 4, 5, 1, 2}, 10));
    }

    @Test
    void longerNgramWinsOverAnEarlierShorterMatch() {
        PromptLookupDrafter drafter = new PromptLookupDrafter(3, 1, 10, EOS);
        // The 1-gram (7) first occurs at 0 (followed by 8), but the 3-gram (5, 6, 7) occurs at 3, followed by 9 9.
        int[] context = {7, 8, 0, 5, 6, 7, 9, 9, 5, 6, 7};
        assertArrayEquals(new int[] {9, 9, 5, 6, 7}, draft(drafter, context, 10));
    }

    @Test
    void earliestOccurrenceWinsAmongEqualLengths() {
        PromptLookupDrafter drafter = new PromptLookupDrafter(2, 1, 10, EOS);
        // (4, 5) occurs at 0 (followed by 1) and at 3 (followed by 2): the earliest is used.
        int[] context = {4, 5, 1, 4, 5, 2, 4, 5};
        assertArrayEquals(new int[] {1, 4, 5, 2, 4, 5}, draft(drafter, context, 10));
    }

    @Test
    void fallsBackToShorterNgramsDownToTheMinimum() {
        int[] context = {3, 1, 2, 8, 6, 2};
        // No earlier (6, 2); the 1-gram (2) occurs at 2, followed by 8 6 2.
        assertArrayEquals(new int[] {8, 6, 2}, draft(new PromptLookupDrafter(2, 1, 10, EOS), context, 10));
        // With a minimum of 2 there is no match at all.
        assertEquals(0, draft(new PromptLookupDrafter(2, 2, 10, EOS), context, 10).length);
    }

    @Test
    void proposalIsCappedByTheTokenLimitAndTheAskedLength() {
        int[] context = {1, 2, 3, 4, 5, 6, 1, 2};
        assertArrayEquals(new int[] {3, 4}, draft(new PromptLookupDrafter(2, 1, 2, EOS), context, 10));
        assertArrayEquals(new int[] {3, 4, 5}, draft(new PromptLookupDrafter(2, 1, 10, EOS), context, 3));
        assertEquals(0, draft(new PromptLookupDrafter(2, 1, 10, EOS), context, 0).length);
    }

    @Test
    void proposalStopsBeforeEndOfText() {
        PromptLookupDrafter drafter = new PromptLookupDrafter(2, 1, 10, EOS);
        assertArrayEquals(new int[] {3}, draft(drafter, new int[] {1, 2, 3, EOS, 4, 1, 2}, 10));
        // A match whose continuation starts with EOS proposes nothing (and does not look further).
        assertEquals(0, draft(drafter, new int[] {1, 2, EOS, 1, 2, 5, 1, 2}, 10).length);
    }

    @Test
    void onlyTheContextPrefixIsSearchedAndNgramsAreCappedByIt() {
        PromptLookupDrafter drafter = new PromptLookupDrafter(4, 1, 10, EOS);
        // Entries past length belong to an old, longer context and must be ignored.
        int[] context = {5, 5, 6, 6, 6};
        assertArrayEquals(new int[] {5}, drafter.propose(context, 2, 10, null).tokens());
        assertEquals(0, drafter.propose(context, 1, 10, null).size());
        // No earlier 4- or 3-gram; the 2-gram (6, 6) first occurs at 2, overlapping the suffix, followed by 6.
        assertArrayEquals(new int[] {6}, draft(drafter, context, 10));
    }

    @Test
    void draftsAreOneHot() {
        Draft d = new PromptLookupDrafter(2, 1, 10, EOS).propose(new int[] {1, 2, 1}, 3, 5, null);
        assertArrayEquals(new int[] {2, 1}, d.tokens());
        assertEquals(2, d.distributions().length);
        assertNull(d.distributions()[0]);
    }

    @Test
    void refusesImpossibleSettings() {
        assertThrows(UsageException.class, () -> new PromptLookupDrafter(1, 2, 10, EOS));
        assertThrows(UsageException.class, () -> new PromptLookupDrafter(2, 0, 10, EOS));
        assertThrows(UsageException.class, () -> new PromptLookupDrafter(2, 1, 0, EOS));
    }
}
