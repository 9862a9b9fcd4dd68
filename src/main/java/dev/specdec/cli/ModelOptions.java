package dev.specdec.cli;

import dev.specdec.Generator;
import dev.specdec.hub.ModelResolver;
import dev.specdec.model.WeightFormat;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The --model / --draft options shared by the commands that run models. */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Target model: a folder with config.json, model.safetensors and tokenizer.json, "
                    + "or a Hugging Face Hub id such as gpt2 (default: the shipped demo target).")
    String model;

    @Option(names = {"-d", "--draft"}, paramLabel = "DRAFT",
            description = "Draft model (folder or Hub id) sharing the target's tokenizer.")
    String draft;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision (branch, tag or commit) of --model and --draft.")
    String revision;

    @Option(names = "--dtype", paramLabel = "DTYPE", defaultValue = "f32",
            description = "Weights of the target in memory: f32, bf16, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--draft-dtype", paramLabel = "DTYPE", defaultValue = "f32",
            description = "Weights of the draft in memory: f32, bf16, f16 or q8_0 (default: ${DEFAULT-VALUE}).")
    String draftDtype;

    /** Resolves the model names (downloading from the Hub when needed) and loads everything. */
    Generator load(boolean withDefaultDraft) {
        ModelResolver resolver = null;
        String modelArg = model != null ? model : DemoModels.path(DemoModels.TARGET);
        String draftArg = draft != null ? draft
                : (withDefaultDraft && model == null ? DemoModels.path(DemoModels.DRAFT) : null);
        resolver = ModelResolver.fromEnvironment();
        Path modelDir = resolver.resolve(modelArg, revision);
        Path draftDir = draftArg == null ? null : resolver.resolve(draftArg, revision);
        Generator.Builder builder = Generator.builder()
                .model(modelDir)
                .modelFormat(WeightFormat.parse(dtype))
                .draftFormat(WeightFormat.parse(draftDtype));
        if (draftDir != null) {
            builder.draft(draftDir);
        }
        return Progress.timed("loading " + modelDir.getFileName()
                + (draftDir == null ? "" : " + " + draftDir.getFileName()), builder::build);
    }
}
