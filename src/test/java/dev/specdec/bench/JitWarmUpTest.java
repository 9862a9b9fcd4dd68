package dev.specdec.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitWarmUpTest {

    @Test
    void runsTheAskedRoundsInOrderThenStopsWithinTheLimit() {
        List<Integer> seen = new ArrayList<>();
        int rounds = JitWarmUp.run(3, seen::add);
        assertTrue(rounds >= 3 && rounds <= 3 + JitWarmUp.MAX_EXTRA_ROUNDS, "rounds " + rounds);
        assertEquals(rounds, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void noRoundsAskedRunsNone() {
        List<Integer> seen = new ArrayList<>();
        assertEquals(0, JitWarmUp.run(0, seen::add));
        assertTrue(seen.isEmpty());
    }
}
