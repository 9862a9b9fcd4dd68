package dev.specdec.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads that split an index range into contiguous chunks, one per thread.
 *
 * <p>Decoding one token calls into this dozens of times for a few microseconds of work each, so a
 * job is handed over through a volatile generation counter that idle workers spin on briefly before
 * parking; a thread-pool submission would cost more than the work. Chunk boundaries depend only on
 * the range and the thread count, never on timing, so results are reproducible.
 */
public final class Parallel {

    /** Work on the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 200_000;

    private static final Parallel SHARED = new Parallel(defaultThreads());

    private final int threads;
    private final Worker[] workers;
    private volatile int generation;
    private volatile RangeTask task;
    private volatile int size;
    private volatile int pending;
    private volatile Throwable failure;
    private final Object doneLock = new Object();

    /** Creates a team of {@code threads} (the caller counts as one of them). */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        this.threads = threads;
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

    /** Runs {@code task} over [0, n) split into one contiguous chunk per thread and waits for all. */
    public void forRange(int n, RangeTask task) {
        if (threads == 1 || n <= 1) {
            if (n > 0) {
                task.run(0, n);
            }
            return;
        }
        synchronized (this) {
            this.task = task;
            this.size = n;
            this.failure = null;
            this.pending = workers.length;
            generation++;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            runChunk(0, task, n);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pending != 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    synchronized (doneLock) {
                        while (pending != 0) {
                            try {
                                doneLock.wait(1);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                }
            }
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

    private void runChunk(int index, RangeTask t, int n) {
        int from = (int) ((long) n * index / threads);
        int to = (int) ((long) n * (index + 1) / threads);
        if (from < to) {
            t.run(from, to);
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
                try {
                    runChunk(index, task, size);
                } catch (Throwable t) {
                    failure = t;
                }
                synchronized (doneLock) {
                    pending--;
                    if (pending == 0) {
                        doneLock.notifyAll();
                    }
                }
            }
        }
    }
}
