package dev.specdec.hub;

import dev.specdec.SpecdecException;
import dev.specdec.UsageException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a {@code --model} argument into a local folder holding config.json, the tokenizer files and
 * safetensors weights: either a folder given by path, or a Hub model downloaded once into the cache it
 * shares with Python's huggingface_hub.
 */
public final class ModelResolver {
    /** The revision used when none is given. */
    public static final String DEFAULT_REVISION = "main";

    private final HubSettings settings;
    private final HubCache cache;
    private final DownloadProgress progress;
    private final Path home;

    /** A resolver with explicit settings; {@code progress} hears about downloads. */
    public ModelResolver(HubSettings settings, DownloadProgress progress) {
        this(settings, progress, Path.of(System.getProperty("user.home")));
    }

    ModelResolver(HubSettings settings, DownloadProgress progress, Path home) {
        this.settings = settings;
        this.cache = new HubCache(settings.cacheDir());
        this.progress = progress;
        this.home = home;
    }

    /** A resolver configured by this process's HF_* environment variables, showing progress on stderr. */
    public static ModelResolver fromEnvironment() {
        return new ModelResolver(HubSettings.fromProcessEnvironment(), DownloadProgress.onStandardError());
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /**
     * The local folder of {@code modelArg}: the folder itself when it is a path, else the cached snapshot of
     * the Hub model at {@code revision} (null: main), downloaded first when missing or outdated.
     */
    public Path resolve(String modelArg, String revision) {
        if (modelArg == null || modelArg.isBlank()) {
            throw new UsageException("no model given; pass a Hub model id such as gpt2, or a folder with "
                    + "config.json and model.safetensors");
        }
        String rev = checkedRevision(revision);
        Path local = localFolder(modelArg.strip());
        if (local != null) {
            return local;
        }
        RepoId repo = new RepoId(modelArg.strip());
        return settings.offline() ? fromCacheOffline(repo, rev) : fromHub(repo, rev);
    }

    /** The folder named by {@code arg}, null when {@code arg} is a Hub id, or an error when neither. */
    private Path localFolder(String arg) {
        boolean looksLikePath = arg.startsWith(".") || arg.startsWith("/") || arg.startsWith("~")
                || arg.contains("\\") || arg.contains(File.separator) && !RepoId.isValid(arg);
        Path path;
        try {
            path = arg.equals("~") ? home : arg.startsWith("~/") ? home.resolve(arg.substring(2)) : Path.of(arg);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path != null && Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve(ModelFiles.CONFIG))) {
                throw new SpecdecException("folder " + path + " has no config.json, so it is not a model folder; "
                        + "pass a folder saved by transformers' save_pretrained, or a Hub model id such as gpt2");
            }
            return path;
        }
        if (path != null && Files.exists(path)) {
            throw new UsageException("model " + arg + " is a file; pass the folder that holds config.json and "
                    + "model.safetensors, or a Hub model id such as gpt2");
        }
        if (looksLikePath) {
            throw new UsageException("model folder " + arg + " does not exist; check the path, or pass a Hub model "
                    + "id such as gpt2 or openai-community/gpt2");
        }
        if (!RepoId.isValid(arg)) {
            throw new UsageException("model '" + arg + "' is neither an existing folder nor a Hub model id "
                    + "(like gpt2 or openai-community/gpt2)");
        }
        return null;
    }

    private static String checkedRevision(String revision) {
        if (revision == null) {
            return DEFAULT_REVISION;
        }
        String rev = revision.strip();
        if (rev.isEmpty() || !ModelFiles.isSafeRelativeName(rev)) {
            throw new UsageException("revision '" + revision + "' is not a branch, tag or commit hash; use e.g. "
                    + "main, v1.0 or refs/pr/1");
        }
        return rev;
    }

    private Path fromCacheOffline(RepoId repo, String revision) {
        Path cached = completeSnapshot(repo, revision);
        if (cached != null) {
            return cached;
        }
        throw new SpecdecException("HF_HUB_OFFLINE=1 and model " + repo + " (revision " + revision + ") is not "
                + "fully in the cache " + cache.root() + why(repo, revision) + "; download it while online with "
                + "`specdec download " + repo + "`, or unset HF_HUB_OFFLINE");
    }

    private Path fromHub(RepoId repo, String revision) {
        if (HubCache.isCommitHash(revision)) {
            Path cached = completeSnapshot(repo, revision);
            if (cached != null) {
                return cached;
            }
        }
        try (HubClient client = new HubClient(settings)) {
            RevisionInfo info;
            try {
                info = client.revision(repo, revision);
            } catch (SpecdecException e) {
                Path cached = completeSnapshot(repo, revision);
                if (cached == null) {
                    throw e;
                }
                progress.note("using the cached copy of " + repo + ": " + e.getMessage());
                return cached;
            }
            List<String> files = ModelFiles.choose(repo, revision, info.files());
            BlobDownloader downloader = new BlobDownloader(cache, client, progress);
            for (String file : files) {
                downloader.fetch(repo, info.commit(), file);
            }
            Path snapshot = cache.snapshot(repo, info.commit());
            if (files.contains(ModelFiles.WEIGHTS_INDEX)) {
                for (String shard : ModelFiles.shards(snapshot.resolve(ModelFiles.WEIGHTS_INDEX))) {
                    if (!info.files().contains(shard)) {
                        throw new SpecdecException("model " + repo + ": " + ModelFiles.WEIGHTS_INDEX + " lists "
                                + shard + ", which the repository does not have; the repository is broken");
                    }
                    downloader.fetch(repo, info.commit(), shard);
                }
            }
            writeRef(repo, revision, info.commit());
            return snapshot;
        }
    }

    private void writeRef(RepoId repo, String revision, String commit) {
        try {
            cache.writeRef(repo, revision, commit);
        } catch (IOException e) {
            throw CacheWriteFailure.of(cache.root(), e);
        }
    }

    private Path completeSnapshot(RepoId repo, String revision) {
        String commit = cache.commitOf(repo, revision);
        if (commit == null) {
            return null;
        }
        Path snapshot = cache.snapshot(repo, commit);
        return Files.isDirectory(snapshot) && ModelFiles.missingFrom(snapshot) == null ? snapshot : null;
    }

    private String why(RepoId repo, String revision) {
        String commit = cache.commitOf(repo, revision);
        if (commit == null) {
            return "";
        }
        Path snapshot = cache.snapshot(repo, commit);
        return Files.isDirectory(snapshot) ? " (" + ModelFiles.missingFrom(snapshot) + ")" : "";
    }
}
