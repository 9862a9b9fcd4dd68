package dev.specdec.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void everyIndexRunsExactlyOnce(int threads) {
        Parallel parallel = new Parallel(threads);
        for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000, 100_003}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            parallel.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    runs.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, runs.get(i), "index " + i + " of " + n + " on " + threads + " threads");
            }
        }
    }

    @Test
    void backToBackJobsNeverMixTheirRanges() {
        Parallel parallel = new Parallel(3);
        for (int job = 0; job < 20_000; job++) {
            int n = 1 + job % 37;
            long weight = job;
            AtomicLong sum = new AtomicLong();
            parallel.forRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    sum.addAndGet(weight * 1000 + i);
                }
            });
            assertEquals(weight * 1000 * n + (long) n * (n - 1) / 2, sum.get(), "job " + job);
        }
    }

    @Test
    void aFailingChunkIsRethrownToTheCallerAndTheTeamStaysUsable() {
        Parallel parallel = new Parallel(2);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> parallel.forRange(100, (from, to) -> {
            if (from <= 50 && 50 < to) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        AtomicLong count = new AtomicLong();
        parallel.forRange(100, (from, to) -> count.addAndGet(to - from));
        assertEquals(100, count.get());
    }

    @Test
    void theCallerTakesOverTheShareOfAWorkerThatStalls() {
        Parallel parallel = new Parallel(2);
        Thread caller = Thread.currentThread();
        int n = 64;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        AtomicLong byCaller = new AtomicLong();
        parallel.forRange(n, (from, to) -> {
            if (Thread.currentThread() == caller) {
                byCaller.addAndGet(to - from);
            } else {
                try {
                    Thread.sleep(50); // a descheduled worker
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (int i = from; i < to; i++) {
                runs.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, runs.get(i), "index " + i);
        }
        // The worker holds at most half of its share (its first chunk) while it sleeps.
        assertTrue(byCaller.get() >= n / 2 + n / 4, "the caller ran " + byCaller.get() + " of " + n);
    }
}
