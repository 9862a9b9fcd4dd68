package dev.specdec.cli;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A prompt given inline or from a file. */
final class PromptOptions {

    /** The prompt of the notebook this product started from. */
    static final String NOTEBOOK_PROMPT = "In a distant future, AI and humans";

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT",
            description = "Prompt text (default: \"" + NOTEBOOK_PROMPT + "\").")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "Read the prompt from a UTF-8 file.")
    Path promptFile;

    String text() {
        if (prompt != null && promptFile != null) {
            throw new UsageException("give either --prompt or --prompt-file, not both");
        }
        String text = promptFile != null ? read(promptFile) : prompt != null ? prompt : NOTEBOOK_PROMPT;
        if (text.isEmpty()) {
            throw new UsageException("the prompt is empty; give some text with --prompt");
        }
        return text;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("file " + file + " does not exist");
        } catch (IOException e) {
            throw new SpecdecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
