package dev.specdec.cli;

import java.util.function.Supplier;

/** Short status lines on stderr for slow steps, so a terminal user sees what the tool is doing. */
final class Progress {

    private Progress() {
    }

    static <T> T timed(String what, Supplier<T> step) {
        boolean terminal = System.console() != null;
        if (terminal) {
            System.err.print(what + "...");
            System.err.flush();
        }
        long start = System.nanoTime();
        T result = step.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (terminal) {
            System.err.printf(" %.2f s%n", seconds);
        }
        return result;
    }
}
