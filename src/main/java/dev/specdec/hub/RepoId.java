package dev.specdec.hub;

import java.util.regex.Pattern;

/**
 * A model repository id on the Hub, {@code name} or {@code namespace/name}, checked with the rules
 * huggingface_hub applies before touching the cache (so a bad id can never name a folder outside it).
 */
public record RepoId(String value) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

    public RepoId {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a Hub model id: " + value);
        }
    }

    /** Whether {@code text} has the shape of a Hub model id such as {@code gpt2} or {@code openai-community/gpt2}. */
    public static boolean isValid(String text) {
        if (text == null || text.isEmpty() || text.length() > 96 + 1 + 96) {
            return false;
        }
        String[] parts = text.split("/", -1);
        if (parts.length > 2) {
            return false;
        }
        for (String part : parts) {
            if (part.length() > 96 || !PART.matcher(part).matches()) {
                return false;
            }
        }
        return !text.contains("--") && !text.contains("..") && !text.endsWith(".git");
    }

    /** The cache folder name huggingface_hub uses for this model: {@code models--namespace--name}. */
    public String cacheFolderName() {
        return "models--" + value.replace("/", "--");
    }

    /** The id back from a cache folder name, or null when the folder does not hold a model repository. */
    static RepoId fromCacheFolderName(String folderName) {
        if (!folderName.startsWith("models--")) {
            return null;
        }
        String id = folderName.substring("models--".length()).replace("--", "/");
        return isValid(id) ? new RepoId(id) : null;
    }

    @Override
    public String toString() {
        return value;
    }
}
