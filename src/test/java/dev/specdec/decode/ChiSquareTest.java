package dev.specdec.decode;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chi-square helper against scipy.stats.chi2.sf values, so the distribution tests rest on it. */
class ChiSquareTest {

    @Test
    void upperTailMatchesScipy() {
        assertEquals(0.05, ChiSquare.upperTail(3.841458820694124, 1), 1e-9);
        assertEquals(Math.exp(-3.7), ChiSquare.upperTail(7.4, 2), 1e-12);
        assertEquals(0.001, ChiSquare.upperTail(29.58829844507442, 10), 1e-9);
        assertEquals(0.001, ChiSquare.upperTail(103.44237731987324, 63), 1e-9);
        assertEquals(0.15824376990134334, ChiSquare.upperTail(50, 41), 1e-9);
        assertEquals(0.37873690604821353, ChiSquare.upperTail(7.5, 7), 1e-9);
        assertEquals(0.003973185970821635, ChiSquare.upperTail(200, 150), 1e-9);
    }

    @Test
    void fairCountsPassAndSkewedCountsFail() {
        double[] uniform = {0.25, 0.25, 0.25, 0.25};
        assertTrue(ChiSquare.pValue(new long[] {2510, 2480, 2505, 2505}, uniform) > 0.5);
        assertTrue(ChiSquare.pValue(new long[] {2700, 2400, 2450, 2450}, uniform) < 1e-3);
    }

    @Test
    void anImpossibleOutcomeFailsWhateverTheCounts() {
        assertThrows(AssertionError.class, () -> ChiSquare.pValue(new long[] {500, 499, 1}, new double[] {0.5, 0.5, 0}));
    }
}
