package dev.specdec.io;

import java.util.Arrays;

/** Arithmetic on tensor shapes. */
final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions, or -1 when it overflows a long. */
    static long elementCount(long[] shape) {
        long count = 1;
        for (long dimension : shape) {
            try {
                count = Math.multiplyExact(count, dimension);
            } catch (ArithmeticException overflow) {
                return -1;
            }
        }
        return count;
    }

    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
