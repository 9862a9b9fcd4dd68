package dev.specdec.decode;

/**
 * Pearson's chi-square goodness-of-fit test of sampled counts against exact probabilities, for the
 * tests that check a sampler keeps a distribution.
 */
final class ChiSquare {

    /** Cells expected fewer times than this are pooled into one, the usual validity rule. */
    private static final double MIN_EXPECTED = 5;

    private ChiSquare() {
    }

    /**
     * The p-value of {@code observed} counts under {@code probabilities} (which sum to 1).
     *
     * @throws AssertionError when an outcome of probability 0 was observed: no p-value can excuse that
     */
    static double pValue(long[] observed, double[] probabilities) {
        long n = 0;
        for (long count : observed) {
            n += count;
        }
        double statistic = 0;
        int cells = 0;
        double pooledExpected = 0;
        long pooledObserved = 0;
        for (int i = 0; i < observed.length; i++) {
            if (probabilities[i] == 0) {
                if (observed[i] != 0) {
                    throw new AssertionError("outcome " + i + " has probability 0 but was drawn " + observed[i] + " times");
                }
                continue;
            }
            double expected = n * probabilities[i];
            if (expected < MIN_EXPECTED) {
                pooledExpected += expected;
                pooledObserved += observed[i];
            } else {
                statistic += square(observed[i] - expected) / expected;
                cells++;
            }
        }
        if (pooledExpected > 0) {
            statistic += square(pooledObserved - pooledExpected) / pooledExpected;
            cells++;
        }
        if (cells < 2) {
            throw new IllegalArgumentException("a chi-square test needs at least two cells, got " + cells);
        }
        return upperTail(statistic, cells - 1);
    }

    /** P(X >= x) for X chi-square distributed with {@code df} degrees of freedom. */
    static double upperTail(double x, int df) {
        return regularizedGammaQ(df / 2.0, x / 2.0);
    }

    private static double square(double v) {
        return v * v;
    }

    /** Q(a, x) = Gamma(a, x) / Gamma(a): a series below a + 1, Lentz's continued fraction above. */
    private static double regularizedGammaQ(double a, double x) {
        if (x <= 0) {
            return 1;
        }
        double logPrefactor = -x + a * Math.log(x) - logGammaOfHalfInteger(a);
        if (x < a + 1) {
            double term = 1 / a;
            double sum = term;
            for (double ap = a + 1; Math.abs(term) > Math.abs(sum) * 1e-16; ap++) {
                term *= x / ap;
                sum += term;
            }
            return 1 - sum * Math.exp(logPrefactor);
        }
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(logPrefactor) * h;
    }

    /** ln Gamma(a) for a = df / 2, exactly from Gamma(a + 1) = a Gamma(a), Gamma(1) = 1, Gamma(1/2) = sqrt(pi). */
    private static double logGammaOfHalfInteger(double a) {
        double value = Math.rint(a) == a ? 0 : 0.5 * Math.log(Math.PI);
        for (double z = Math.rint(a) == a ? 1 : 0.5; z < a; z++) {
            value += Math.log(z);
        }
        return value;
    }
}
