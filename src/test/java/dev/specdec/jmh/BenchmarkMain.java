package dev.specdec.jmh;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel microbenchmarks with short defaults (one fork, 5 x 1 s warm-up, 5 x 1 s
 * measurement) that any JMH command-line option overrides, e.g. {@code MatrixBenchmark -p format=bf16 -f 2};
 * pass {@code -jvmArgsAppend -Dspecdec.threads=1} to time one thread.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include("dev\\.specdec\\.jmh\\..*Benchmark");
        }
        if (!cli.getForkCount().hasValue()) {
            options.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(5);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(5);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(1));
        }
        if (!cli.getJvmArgsPrepend().hasValue()) {
            options.jvmArgsPrepend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
        }
        new Runner(options.build()).run();
    }
}
