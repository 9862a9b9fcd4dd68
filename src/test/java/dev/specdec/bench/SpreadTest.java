package dev.specdec.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpreadTest {

    @Test
    void oddCountMedianIsTheMiddleValueWhateverTheOrder() {
        Spread s = Spread.of(9, 1, 5);
        assertEquals(5, s.median());
        assertEquals(1, s.min());
        assertEquals(9, s.max());
        assertEquals(3, s.count());
    }

    @Test
    void evenCountMedianIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Spread.of(4, 1, 3, 2).median());
    }

    @Test
    void quartilesInterpolateLikeNumpyPercentile() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 75]) == [2.0, 4.0]; of [1, 2, 3, 4]: [1.75, 3.25].
        Spread five = Spread.of(10, 4, 3, 2, 1);
        assertEquals(2.0, five.q1(), 1e-12);
        assertEquals(4.0, five.q3(), 1e-12);
        assertEquals(2.0, five.iqr(), 1e-12);
        Spread four = Spread.of(1, 2, 3, 4);
        assertEquals(1.75, four.q1(), 1e-12);
        assertEquals(3.25, four.q3(), 1e-12);
    }

    @Test
    void oneSampleIsItsOwnSpread() {
        Spread s = Spread.of(7.5);
        assertEquals(7.5, s.median());
        assertEquals(7.5, s.min());
        assertEquals(7.5, s.max());
        assertEquals(0, s.iqr());
    }

    @Test
    void inputIsNotReordered() {
        double[] samples = {3, 1, 2};
        Spread.of(samples);
        assertEquals(3, samples[0]);
    }

    @Test
    void refusesNoSamplesAndNaN() {
        assertThrows(IllegalArgumentException.class, Spread::of);
        assertThrows(IllegalArgumentException.class, () -> Spread.of(1, Double.NaN));
    }
}
