package dev.specdec.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchTableTest {

    static BenchReport report() {
        BenchReport.Row greedy = new BenchReport.Row("greedy", 0, 64, 256, Spread.of(50, 52, 51), Spread.of(1, 1, 1),
                Double.NaN, 1.0, Spread.of(19.5), null, null, null);
        BenchReport.Row q8 = new BenchReport.Row("q8_0", 4, 64, 256, Spread.of(80.25, 75, 90), Spread.of(1.5, 1.25, 1.75),
                0.7125, 3.2, Spread.of(30), Spread.of(2.5), Spread.of(0.125), Spread.of(1.5));
        BenchReport.Row lookup = new BenchReport.Row("lookup", 2, 64, 256, Spread.of(60), Spread.of(1.125),
                0.25, 1.5, Spread.of(22), null, null, Spread.of(1.125));
        return new BenchReport(List.of(greedy, q8, lookup), List.of(), 3, 12);
    }

    @Test
    void rendersMediansRangesAndDashesForWhatDoesNotApply() {
        String expected = """
                draft   k   n  tokens/s [min-max]  speed-up [min-max]  alpha  tok/pass  c (draft/target)  verify/step
                greedy  -  64    51.0 [50.0-52.0]               1.00x      -      1.00                 -            -
                q8_0    4  64    80.3 [75.0-90.0]   1.50x [1.25-1.75]  0.713      3.20             0.125         1.50
                lookup  2  64    60.0 [60.0-60.0]   1.13x [1.13-1.13]  0.250      1.50                 -         1.13
                medians over 3 interleaved repeats; alpha = accepted/proposed draft tokens; c = draft time per draft \
                pass / greedy time per target pass; verify/step = time per verification pass / greedy time per target pass
                """;
        assertEquals(expected, BenchTable.render(report()));
    }
}
