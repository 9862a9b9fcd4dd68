package dev.specdec.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that share out an index range in chunks.
 *
 * <p>Decoding one token calls into this dozens of times for tens of microseconds of work each, so a
 * job is handed over through a volatile generation counter that idle workers spin on briefly before
 * parking; a thread-pool submission would cost more than the work. Threads claim chunks as they come
 * free rather than owning a fixed share, so a worker the operating system has descheduled on a busy
 * machine delays a job by at most one chunk. Each index is processed by exactly one call whose result
 * must not depend on which thread makes it (the kernels compute each output column, head or element
 * on its own), so results are the same whatever the timing.
 */
public final class Parallel {

    /** Work on the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 100_000;
    /** The smallest chunk is this fraction of a thread's share: small enough to even out the end of a job. */
    private static final int MIN_CHUNKS_PER_THREAD = 16;

    private static final Parallel SHARED = new Parallel(defaultThreads());

    private final int threads;
    private final Worker[] workers;
    /** Cursor value of a job being set up: no index can be claimed. */
    private static final int CLOSED = Integer.MAX_VALUE;

    /**
     * The job's generation (high 32 bits) and next unclaimed index (low 32 bits), claimed together so
     * that a worker still holding a previous job's parameters can never claim an index of this one.
     */
    private final AtomicLong cursor = new AtomicLong();
    /** Indices of the current job finished so far. */
    private final AtomicInteger finished = new AtomicInteger();
    private volatile int generation;
    // Volatile, like the cursor, so that a worker reading a newer job's parameters also sees that
    // job's closed cursor and cannot claim with them.
    private volatile RangeTask task;
    private volatile int size;
    private volatile int grain;
    private volatile Thread waiting;
    private volatile Throwable failure;

    /** Creates a team of {@code threads} (the caller counts as one of them). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
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
            cursor.set((long) job << 32 | CLOSED);
            this.task = task;
            this.size = n;
            this.grain = Math.max(1, n / (threads * MIN_CHUNKS_PER_THREAD));
            this.failure = null;
            finished.set(0);
            cursor.set((long) job << 32);
            generation = job;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            work(job);
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

    /** Claims and runs chunks of job {@code job} until none is left. */
    private void work(int job) {
        RangeTask t = task;
        int n = size;
        int minChunk = grain;
        while (true) {
            long c = cursor.get();
            int from = (int) c;
            if ((int) (c >>> 32) != job || from >= n) {
                return;
            }
            // Guided: a share of what is left, so the chunks shrink towards the end and the threads
            // finish within about one small chunk of each other.
            int to = Math.min(n, from + Math.max(minChunk, (n - from) / (2 * threads)));
            if (!cursor.compareAndSet(c, c + (to - from))) {
                continue;
            }
            try {
                t.run(from, to);
            } catch (Throwable e) {
                failure = e;
            } finally {
                if (finished.addAndGet(to - from) == n) {
                    Thread w = waiting;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
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
        private Thread thread;
        private volatile boolean parked;

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
                work(seen);
            }
        }
    }
}
