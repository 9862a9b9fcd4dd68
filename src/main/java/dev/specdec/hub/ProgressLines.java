package dev.specdec.hub;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** Plain progress lines for logs: one when a file ends, and one every few seconds while a big file downloads. */
final class ProgressLines implements DownloadProgress {
    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final LongSupplier nanoClock;
    private String file;
    private long total;
    private long done;
    private long startBytes;
    private long startNanos;
    private long lastLineNanos;

    ProgressLines(PrintStream out, LongSupplier nanoClock) {
        this.out = out;
        this.nanoClock = nanoClock;
    }

    @Override
    public void started(String name, long totalBytes, long resumedBytes) {
        file = name;
        total = totalBytes;
        done = resumedBytes;
        startBytes = resumedBytes;
        startNanos = nanoClock.getAsLong();
        lastLineNanos = startNanos;
        if (resumedBytes > 0) {
            out.println("resuming " + file + " at " + ByteSize.format(resumedBytes));
        }
    }

    @Override
    public void advanced(long bytes) {
        done += bytes;
        long now = nanoClock.getAsLong();
        if (now - lastLineNanos >= INTERVAL_NANOS) {
            lastLineNanos = now;
            String share = total > 0 ? String.format(Locale.ROOT, " (%d%%)", 100 * done / total) : "";
            out.println("downloading " + file + ": " + ByteSize.format(done)
                    + (total > 0 ? " of " + ByteSize.format(total) : "") + share + ", " + rate(now) + "/s");
        }
    }

    @Override
    public void finished(boolean success) {
        long now = nanoClock.getAsLong();
        out.println((success ? "downloaded " : "interrupted ") + file + " (" + ByteSize.format(done)
                + (success ? ", " + rate(now) + "/s)" : " of " + ByteSize.format(total) + ")"));
        out.flush();
    }

    @Override
    public void note(String message) {
        out.println(message);
        out.flush();
    }

    private String rate(long now) {
        double seconds = (now - startNanos) / 1e9;
        return ByteSize.format(seconds > 0 ? (long) ((done - startBytes) / seconds) : 0);
    }
}
