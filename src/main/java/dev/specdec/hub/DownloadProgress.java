package dev.specdec.hub;

import java.io.PrintStream;

/**
 * Told about each file as it downloads (one at a time), and about notable events such as using the cache
 * because the Hub could not be reached.
 */
public interface DownloadProgress {

    /** A download of {@code file} begins; {@code totalBytes} is -1 when unknown, {@code resumedBytes} already on disk. */
    void started(String file, long totalBytes, long resumedBytes);

    /** {@code bytes} more arrived. */
    void advanced(long bytes);

    /** The current file ended, successfully or not. */
    void finished(boolean success);

    /** A one-line remark for the user. */
    void note(String message);

    /** Reports nothing. */
    static DownloadProgress silent() {
        return new DownloadProgress() {
            @Override
            public void started(String file, long totalBytes, long resumedBytes) {
            }

            @Override
            public void advanced(long bytes) {
            }

            @Override
            public void finished(boolean success) {
            }

            @Override
            public void note(String message) {
            }
        };
    }

    /**
     * Progress on stderr: a bar redrawn in place on a terminal, occasional plain lines when stderr goes to a
     * file or pipe (where redrawn lines would pile up).
     */
    static DownloadProgress onStandardError() {
        PrintStream err = System.err;
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        return terminal ? new TerminalProgressBar(err, System::nanoTime) : new ProgressLines(err, System::nanoTime);
    }
}
