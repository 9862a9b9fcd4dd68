package dev.specdec.hub;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/** One line per file, redrawn in place with a carriage return: bar, bytes, rate and time left. */
final class TerminalProgressBar implements DownloadProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final LongSupplier nanoClock;
    private String file;
    private long total;
    private long done;
    private long startBytes;
    private long startNanos;
    private long lastDrawNanos;
    private int lastLineLength;

    TerminalProgressBar(PrintStream out, LongSupplier nanoClock) {
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
        lastLineLength = 0;
        draw(startNanos);
    }

    @Override
    public void advanced(long bytes) {
        done += bytes;
        long now = nanoClock.getAsLong();
        if (now - lastDrawNanos >= REDRAW_NANOS) {
            draw(now);
        }
    }

    @Override
    public void finished(boolean success) {
        draw(nanoClock.getAsLong());
        out.print(success ? "\n" : "  (interrupted)\n");
        out.flush();
    }

    @Override
    public void note(String message) {
        out.println(message);
        out.flush();
    }

    private void draw(long now) {
        lastDrawNanos = now;
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (done - startBytes) / seconds : 0;
        StringBuilder line = new StringBuilder(file).append(' ');
        if (total > 0) {
            int filled = (int) (BAR_WIDTH * Math.min(1.0, (double) done / total));
            line.append(String.format(Locale.ROOT, "%3d%% [", 100 * done / total))
                    .append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(ByteSize.format(done)).append('/').append(ByteSize.format(total));
        } else {
            line.append(ByteSize.format(done));
        }
        line.append("  ").append(ByteSize.format((long) rate)).append("/s");
        if (total > 0 && rate > 0 && done < total) {
            line.append("  ETA ").append(clock((long) ((total - done) / rate)));
        } else if (done >= total && total > 0) {
            line.append("  in ").append(clock((long) seconds));
        }
        String text = line.toString();
        int pad = Math.max(0, lastLineLength - text.length());
        lastLineLength = text.length();
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
