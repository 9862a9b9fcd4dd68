package dev.specdec.cli;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;
import dev.specdec.tokenizer.Gpt2Tokenizer;
import dev.specdec.tokenizer.TokenFrequencies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code specdec vocab-stats}: counts token ids over text files and writes the frequency table a
 * pruned-vocabulary draft (--draft-vocab) keeps its most frequent ids from.
 */
@Command(name = "vocab-stats", mixinStandardHelpOptions = true,
        description = "Count token ids over text files and write a frequency table for --draft-vocab.")
final class VocabStatsCommand implements Callable<Integer> {

    /** Characters per tokenizer call; texts are cut only where the tokenization cannot change. */
    private static final int CHUNK_CHARS = 1 << 16;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "Model folder whose tokenizer.json to count with.")
    Path tokenizerDir;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Table to write.")
    Path output;

    @Option(names = "--top", paramLabel = "N", defaultValue = "16384",
            description = "Keep the N most frequent ids (0 = all seen; default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--source", paramLabel = "TEXT",
            description = "Where the text comes from, recorded in the table's header.")
    String source;

    @Parameters(arity = "1..*", paramLabel = "TEXTFILE", description = "UTF-8 text files to count.")
    List<Path> files;

    @Override
    public Integer call() {
        if (top < 0) {
            throw new UsageException("--top must be >= 0 (0 = keep every id seen), got " + top);
        }
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load(tokenizerDir)) {
            long[] occurrences = new long[tokenizer.vocabSize()];
            List<String> provenance = new ArrayList<>();
            if (source != null) {
                provenance.add("source: " + source);
            }
            for (Path file : files) {
                String text = read(file);
                long tokens = count(tokenizer, text, occurrences);
                provenance.add("file: " + file.getFileName() + " (" + text.length() + " characters, " + tokens + " tokens)");
            }
            provenance.add("made by: specdec vocab-stats --top " + top);
            TokenFrequencies table = TokenFrequencies.fromCounts(occurrences, TokenFrequencies.fingerprint(tokenizer), provenance);
            TokenFrequencies kept = top == 0 ? table : table.top(top);
            kept.write(output);
            System.err.printf(Locale.ROOT, "%d distinct ids in %d tokens; wrote the top %d to %s "
                            + "(they cover %.2f%% of the text; top 8192: %.2f%%)%n",
                    table.ids().length, table.totalTokens(), kept.ids().length, output,
                    100 * table.coverage(kept.ids().length), 100 * table.coverage(8192));
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new SpecdecException(file + " is not UTF-8 text; convert it (iconv -t UTF-8) first", e);
        } catch (IOException e) {
            throw new SpecdecException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds the ids of {@code text} to {@code occurrences}. Long texts are encoded in pieces cut after
     * a lone newline between two non-space characters: GPT-2's pre-tokenizer makes that newline a
     * piece of its own in the whole text too, so the ids are exactly those of the whole text.
     */
    static long count(Gpt2Tokenizer tokenizer, String text, long[] occurrences) {
        long tokens = 0;
        int start = 0;
        while (start < text.length()) {
            int end = cutAfter(text, start + CHUNK_CHARS);
            for (int id : tokenizer.encode(text.substring(start, end))) {
                occurrences[id]++;
                tokens++;
            }
            start = end;
        }
        return tokens;
    }

    private static int cutAfter(String text, int from) {
        for (int i = Math.max(from, 2); i < text.length(); i++) {
            if (text.charAt(i - 1) == '\n' && !Character.isWhitespace(text.charAt(i))
                    && !Character.isWhitespace(text.charAt(i - 2))) {
                return i;
            }
        }
        return text.length();
    }
}
