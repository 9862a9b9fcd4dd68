package dev.specdec.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that share out an index range.
 *
 * <p>Decoding one token calls into this dozens of times for a few microseconds of work each (a small
 * draft model's whole pass is 100-200 us over 9-21 jobs), so a job must cost the threads as few
 * cache-line transfers between cores as possible: each one costs ~0.2 us here (a round trip between
 * the development VM's two cores measured 0.45 us). A job is handed over through a volatile
 * generation counter that idle workers spin on briefly before parking (a thread-pool submission
 * would cost more than the work), and the range is split into one home share per thread, each with
 * its own cursor on its own cache line: a thread claims chunks of its share without touching another
 * core's lines and reports what it did once, at the end. The same thread therefore computes the same
 * panels every time, so a small model's weights stay in that core's cache. A thread that finishes
 * its share then steals chunks from the others', so a worker the operating system has descheduled on
 * a busy machine delays a job by at most the chunk it holds. Each index is processed by exactly one
 * call whose result must not depend on which thread makes it (the kernels compute each output
 * column, head or element on its own), so results are the same whatever the timing.
 */
public final class Parallel {

    /** Work on the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 100_000;
    /** Longs per cursor slot: two 64-byte cache lines, so that adjacent-line prefetch cannot pair two slots. */
    private static final int SLOT = 16;

    /** Low half of a cursor while its job is being set up: beyond every share's end. */
    private static final int CLOSED = Integer.MAX_VALUE;

    private static final Parallel SHARED = new Parallel(defaultThreads());

    private final int threads;
    private final Worker[] workers;

    /**
     * Per thread, at {@code (t + 1) * SLOT}: the job's generation (high 32 bits) and the next
     * unclaimed index of thread t's home share (low 32 bits), claimed together so that a thread still
     * holding a previous job's parameters can never claim an index of this one. Slot 0 stays unused:
     * the array's first cache line holds its length, which every access reads.
     */
    private final AtomicLongArray cursors;
    /** Indices of the current job finished so far. */
    private final AtomicInteger finished = new AtomicInteger();
    private volatile int generation;
    // Volatile, and written after the cursors are closed and before they open, so that a thread
    // whose claim succeeds read this job's parameters.
    private volatile RangeTask task;
    private volatile int size;
    private volatile Thread waiting;
    private volatile Throwable failure;

    /** Creates a team of {@code threads} (the caller counts as one of them). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        this.threads = threads;
        this.cursors = new AtomicLongArray((threads + 1) * SLOT);
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = Thread.ofPlatform().daemon().name("specdec-worker-" + (i + 1)).unstarted(workers[i]);
            workers[i].thread = t;
            t.start();
        }
    }

    /** The process-wide team, sized by {@code -Dspecdec.threads} or the number of processors. */
    public static Parallel shared() {
        return SHARED;
    }

    private static int defaultThreads() {
        String configured = System.getProperty("specdec.threads");
        if (configured != null) {
            return Math.max(1, Integer.parseInt(configured.trim()));
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over [0, n) in chunks shared out among the threads, and waits for all. */
    public void forRange(int n, RangeTask task) {
        if (threads == 1 || n <= 1) {
            if (n > 0) {
                task.run(0, n);
            }
            return;
        }
        synchronized (this) {
            int job = generation + 1;
            // Closed first: a thread still holding the previous job's number then cannot claim
            // anything, whichever of the parameters below it reads.
            for (int t = 0; t < threads; t++) {
                cursors.set((t + 1) * SLOT, (long) job << 32 | CLOSED);
            }
            this.task = task;
            this.size = n;
            this.failure = null;
            finished.set(0);
            for (int t = 0; t < threads; t++) {
                cursors.set((t + 1) * SLOT, (long) job << 32 | shareStart(t, n));
            }
            generation = job;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            work(job, 0);
            awaitFinished(n);
            this.task = null;
            Throwable t = failure;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
        }
    }

    /** First index of thread {@code t}'s home share of [0, n). */
    private int shareStart(int t, int n) {
        return (int) ((long) t * n / threads);
    }

    /** Runs chunks of job {@code job}: thread {@code self}'s home share, then what is left of the others'. */
    private void work(int job, int self) {
        RangeTask t = task;
        int n = size;
        int done = 0;
        for (int k = 0; k < threads; k++) {
            int share = (self + k) % threads;
            done += drain(job, t, share, shareStart(share + 1, n));
        }
        if (done > 0 && finished.addAndGet(done) == n) {
            Thread w = waiting;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Claims and runs chunks of one share, ending at {@code end}, until none is left; returns how many indices ran. */
    private int drain(int job, RangeTask t, int share, int end) {
        int slot = (share + 1) * SLOT;
        int done = 0;
        while (true) {
            long c = cursors.get(slot);
            int from = (int) c;
            if ((int) (c >>> 32) != job || from >= end) {
                return done;
            }
            // Half of what is left: few claims for the owner, and a late thief still finds work to take.
            int to = from + Math.max(1, (end - from) / 2);
            if (!cursors.compareAndSet(slot, c, c + (to - from))) {
                continue;
            }
            try {
                t.run(from, to);
            } catch (Throwable e) {
                failure = e;
            }
            done += to - from;
        }
    }

    private void awaitFinished(int n) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (finished.get() != n) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                waiting = Thread.currentThread();
                if (finished.get() != n) {
                    LockSupport.park(this);
                }
                waiting = null;
            }
        }
    }

    private final class Worker implements Runnable {
        private final int index;
        private Thread thread;
        private volatile boolean parked;

        Worker(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (generation == seen) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                seen = generation;
                work(seen, index);
            }
        }
    }
}
