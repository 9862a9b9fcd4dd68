package dev.specdec.cli;

import dev.specdec.hub.ModelResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code specdec download MODEL}: fetches a model into the Hugging Face cache and prints its folder. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Download a model from the Hugging Face Hub into the cache shared with Python's "
                + "huggingface_hub, then print its local folder.",
                "Environment: HF_ENDPOINT, HF_TOKEN, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE."})
public final class DownloadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "Hub model id (gpt2, distilbert/distilgpt2, openai-community/gpt2-medium) or a folder.")
    String model;

    @Option(names = "--revision", paramLabel = "R", description = "Branch, tag or commit hash (default: main).")
    String revision;

    @Spec
    CommandSpec spec;

    private final Supplier<ModelResolver> resolvers;

    public DownloadCommand() {
        this(ModelResolver::fromEnvironment);
    }

    DownloadCommand(Supplier<ModelResolver> resolvers) {
        this.resolvers = resolvers;
    }

    @Override
    public Integer call() {
        Path folder = resolvers.get().resolve(model, revision);
        spec.commandLine().getOut().println(folder.toAbsolutePath());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
