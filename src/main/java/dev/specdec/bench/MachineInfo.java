package dev.specdec.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The machine a benchmark ran on, as far as the JVM can tell: timings mean little without the CPU,
 * the cores and how busy the machine was with other work.
 *
 * @param computeThreads size of the decoding thread team
 */
public record MachineInfo(String cpuModel, int logicalCpus, int computeThreads) {

    public static MachineInfo current(int computeThreads) {
        return new MachineInfo(readCpuModel(), Runtime.getRuntime().availableProcessors(), computeThreads);
    }

    /** The one-minute system load average (runnable processes), null where the platform has none. */
    public static Double loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? null : load;
    }

    private static String readCpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo)) {
                String model = lines.filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .findFirst().orElse(null);
                if (model != null) {
                    return model;
                }
            } catch (IOException | UncheckedIOException e) {
                // Fall back to the architecture, which is all the JVM knows without /proc.
            }
        }
        return System.getProperty("os.arch");
    }
}
