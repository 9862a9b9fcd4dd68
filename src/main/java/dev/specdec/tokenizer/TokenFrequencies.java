package dev.specdec.tokenizer;

import dev.specdec.SpecdecException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * How often each token id occurs in some text, most frequent first: the table a pruned-vocabulary
 * draft keeps its top N ids from. Stored as a small text file, one {@code id count} pair per line
 * after {@code #} comment lines that record the tokenizer (vocabulary size and a SHA-256 of its
 * token strings, so a table is never applied to another tokenizer) and where the counts came from.
 *
 * @param vocabSize   size of the tokenizer's vocabulary
 * @param fingerprint {@link #fingerprint(Gpt2Tokenizer)} of the tokenizer that produced the ids
 * @param provenance  free-text comment lines (sources, command)
 * @param totalTokens tokens counted, including those of ids cut from the table
 * @param ids         token ids, most frequent first (ties: lower id first)
 * @param counts      occurrences of {@code ids[i]}
 */
public record TokenFrequencies(int vocabSize, String fingerprint, List<String> provenance, long totalTokens,
                               int[] ids, long[] counts) {

    private static final String TOKENIZER_KEY = "# tokenizer: ";
    private static final String TOTAL_KEY = "# total_tokens: ";

    /** Ranks the ids counted in {@code occurrences[id]}; ids never seen are left out. */
    public static TokenFrequencies fromCounts(long[] occurrences, String fingerprint, List<String> provenance) {
        Integer[] order = new Integer[occurrences.length];
        int seen = 0;
        for (int id = 0; id < occurrences.length; id++) {
            if (occurrences[id] > 0) {
                order[seen++] = id;
            }
        }
        Integer[] ranked = Arrays.copyOf(order, seen);
        Arrays.sort(ranked, (a, b) -> occurrences[a] != occurrences[b]
                ? Long.compare(occurrences[b], occurrences[a]) : Integer.compare(a, b));
        int[] ids = new int[seen];
        long[] counts = new long[seen];
        long total = 0;
        for (int i = 0; i < seen; i++) {
            ids[i] = ranked[i];
            counts[i] = occurrences[ranked[i]];
            total += counts[i];
        }
        return new TokenFrequencies(occurrences.length, fingerprint, List.copyOf(provenance), total, ids, counts);
    }

    /** SHA-256 over the tokenizer's token strings in id order, each followed by a newline. */
    public static String fingerprint(Gpt2Tokenizer tokenizer) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String token : tokenizer.vocabulary()) {
                sha.update(token.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** The {@code n} most frequent ids (all of them when fewer were seen). */
    public int[] mostFrequent(int n) {
        return Arrays.copyOf(ids, Math.min(n, ids.length));
    }

    /** Share of the counted tokens covered by the {@code n} most frequent ids. */
    public double coverage(int n) {
        long covered = 0;
        for (int i = 0; i < Math.min(n, counts.length); i++) {
            covered += counts[i];
        }
        return (double) covered / totalTokens();
    }

    /** Whether this table was made with {@code tokenizer}. */
    public boolean matches(Gpt2Tokenizer tokenizer) {
        return vocabSize == tokenizer.vocabSize() && fingerprint.equals(fingerprint(tokenizer));
    }

    /** Keeps only the {@code n} most frequent ids. */
    public TokenFrequencies top(int n) {
        int kept = Math.min(n, ids.length);
        return new TokenFrequencies(vocabSize, fingerprint, provenance, totalTokens, Arrays.copyOf(ids, kept),
                Arrays.copyOf(counts, kept));
    }

    /** Writes the table: header comments, then one {@code id count} line per id. */
    public void write(Path file) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("# specdec token frequencies: token id and count, most frequent first\n");
            out.write(TOKENIZER_KEY + "vocab_size=" + vocabSize + " sha256=" + fingerprint + "\n");
            out.write(TOTAL_KEY + totalTokens() + "\n");
            for (String line : provenance) {
                out.write("# " + line + "\n");
            }
            for (int i = 0; i < ids.length; i++) {
                out.write(ids[i] + " " + counts[i] + "\n");
            }
        } catch (IOException e) {
            throw new SpecdecException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a table written by {@link #write}. */
    public static TokenFrequencies read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecdecException("token frequency table " + file + " does not exist; make one with "
                    + "specdec vocab-stats or pass --draft-vocab 0", e);
        } catch (IOException e) {
            throw new SpecdecException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int vocabSize = -1;
        long total = -1;
        String fingerprint = null;
        List<String> provenance = new ArrayList<>();
        int[] ids = new int[lines.size()];
        long[] counts = new long[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith(TOKENIZER_KEY.strip())) {
                for (String field : line.substring(TOKENIZER_KEY.strip().length()).strip().split("\\s+")) {
                    if (field.startsWith("vocab_size=")) {
                        vocabSize = Math.toIntExact(parseNumber(field.substring("vocab_size=".length()), file, i));
                    } else if (field.startsWith("sha256=")) {
                        fingerprint = field.substring("sha256=".length());
                    }
                }
            } else if (line.startsWith(TOTAL_KEY.strip())) {
                total = parseNumber(line.substring(TOTAL_KEY.strip().length()).strip(), file, i);
            } else if (line.startsWith("#") && i > 0) {
                provenance.add(line.substring(1).strip());
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    throw malformed(file, i, "expected 'id count'");
                }
                ids[n] = Math.toIntExact(parseNumber(parts[0], file, i));
                counts[n] = parseNumber(parts[1], file, i);
                n++;
            }
        }
        if (vocabSize < 0 || fingerprint == null || total < 0) {
            throw new SpecdecException(file + " lacks the '# tokenizer: vocab_size=N sha256=HEX' or '# total_tokens: N' "
                    + "line; regenerate it with specdec vocab-stats");
        }
        return new TokenFrequencies(vocabSize, fingerprint, List.copyOf(provenance), total, Arrays.copyOf(ids, n),
                Arrays.copyOf(counts, n));
    }

    private static long parseNumber(String text, Path file, int line) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw malformed(file, line, "'" + text + "' is not a whole number");
        }
    }

    private static SpecdecException malformed(Path file, int line, String what) {
        return new SpecdecException(file + " line " + (line + 1) + ": " + what + "; regenerate it with specdec vocab-stats");
    }
}
