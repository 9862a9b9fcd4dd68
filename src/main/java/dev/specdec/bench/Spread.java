package dev.specdec.bench;

import java.util.Arrays;

/**
 * Median and spread of repeated measurements: minimum, maximum and the quartiles (linear
 * interpolation between order statistics, as numpy's default percentile does).
 */
public record Spread(double median, double min, double max, double q1, double q3, int count) {

    /** Summarises {@code samples} (at least one, none NaN). */
    public static Spread of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples to summarise");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        if (Double.isNaN(sorted[sorted.length - 1])) {
            throw new IllegalArgumentException("NaN sample in " + Arrays.toString(samples));
        }
        return new Spread(quantile(sorted, 0.5), sorted[0], sorted[sorted.length - 1],
                quantile(sorted, 0.25), quantile(sorted, 0.75), sorted.length);
    }

    /** The q-quantile of sorted values, interpolating linearly between neighbours. */
    static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }

    public double iqr() {
        return q3 - q1;
    }
}
