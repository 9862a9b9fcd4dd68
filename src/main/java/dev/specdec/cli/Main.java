package dev.specdec.cli;

import dev.specdec.SpecdecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** Entry point of the {@code specdec} command-line tool. */
@Command(name = "specdec",
        mixinStandardHelpOptions = true,
        version = "specdec 0.1.0",
        description = "Speculative decoding for GPT-2-family models on the CPU.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI with the given arguments and returns the process exit code. */
    public static int run(String... args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        for (Object sub : subcommands()) {
            cli.addSubcommand(sub);
        }
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean debugOn = parseResult.hasMatchedOption("--debug") || main.debug;
            if (debugOn) {
                ex.printStackTrace(err);
            }
            if (ex instanceof SpecdecException se) {
                err.println("error: " + se.getMessage());
                err.flush();
                return se.exitCode();
            }
            err.println("error: " + ex + (debugOn ? "" : " (run with --debug for the stack trace)"));
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((ex, params) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage() + " (see: specdec "
                    + ex.getCommandLine().getCommandName() + " --help)");
            err.flush();
            return 2;
        });
        return cli.execute(args);
    }

    /** The subcommands, in the order `--help` lists them. */
    private static Object[] subcommands() {
        return new Object[] {
            new DemoCommand(),
            new GenerateCommand(),
            new CompareCommand(),
            new BenchCommand(),
            new ScoreCommand(),
            new DownloadCommand(),
            new ModelsCommand(),
            new VocabStatsCommand(),
        };
    }
}
