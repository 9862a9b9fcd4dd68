package dev.specdec.tokenizer;

/**
 * Keeps DJL from using the network. Without these switches DJL sends a telemetry request when a tokenizer
 * is created and, on a machine with CUDA, downloads a CUDA build of the tokenizers native library instead
 * of using the CPU build shipped in its jar. A value the user set explicitly is left alone.
 */
final class DjlOffline {
    private DjlOffline() {
    }

    static void enable() {
        setUnlessPresent("ai.djl.offline", "DJL_OFFLINE", "true");
        setUnlessPresent("OPT_OUT_TRACKING", "OPT_OUT_TRACKING", "true");
    }

    private static void setUnlessPresent(String property, String environmentVariable, String value) {
        if (System.getProperty(property) == null && System.getenv(environmentVariable) == null) {
            System.setProperty(property, value);
        }
    }
}
