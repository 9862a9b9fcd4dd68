package dev.specdec.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The huggingface_hub cache layout, shared with Python:
 * <pre>
 * {cache}/models--org--name/blobs/{etag}                      file contents, named by ETag
 * {cache}/models--org--name/snapshots/{commit}/{file}         relative symlink to ../../blobs/{etag}
 * {cache}/models--org--name/refs/{revision}                   the commit hash a branch or tag pointed to
 * {cache}/.locks/models--org--name/{etag}.lock                taken while a blob is written
 * </pre>
 */
public final class HubCache {
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    /** The cache folder. */
    public Path root() {
        return root;
    }

    /** Whether {@code revision} is a full commit hash (which needs no ref lookup). */
    public static boolean isCommitHash(String revision) {
        return COMMIT_HASH.matcher(revision).matches();
    }

    Path repoFolder(RepoId repo) {
        return root.resolve(repo.cacheFolderName());
    }

    Path blob(RepoId repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag);
    }

    /** Where a partial download of a blob waits to be resumed. */
    Path incompleteBlob(RepoId repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    Path lockFile(RepoId repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(etag + ".lock");
    }

    /**
     * Marks the cache with a CACHEDIR.TAG (https://bford.info/cachedir/), as huggingface_hub does, so that
     * backup tools skip gigabytes that can be downloaded again.
     */
    void tagAsCache() throws IOException {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (!Files.exists(tag)) {
            Files.createDirectories(root);
            Files.writeString(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                    + "# This folder is a Hugging Face Hub cache; its contents can be downloaded again.\n");
        }
    }

    /** The snapshot folder of a commit: what the engine reads. */
    public Path snapshot(RepoId repo, String commit) {
        return repoFolder(repo).resolve("snapshots").resolve(commit);
    }

    /** The commit a revision resolved to when it was last downloaded, or null if unknown. */
    String commitOf(RepoId repo, String revision) {
        if (isCommitHash(revision)) {
            return revision;
        }
        Path ref = refFile(repo, revision);
        try {
            if (!Files.isRegularFile(ref)) {
                return null;
            }
            String commit = Files.readString(ref).strip();
            return isCommitHash(commit) ? commit : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Records that {@code revision} points to {@code commit}; written atomically so readers never see half a hash. */
    void writeRef(RepoId repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = refFile(repo, revision);
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
        Files.writeString(tmp, commit);
        moveReplacing(tmp, ref);
    }

    private Path refFile(RepoId repo, String revision) {
        Path refs = repoFolder(repo).resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new IllegalArgumentException("revision names a path outside the cache: " + revision);
        }
        return ref;
    }

    /**
     * Points {@code snapshots/{commit}/{file}} at a blob with a relative symlink (so the cache can be moved),
     * or copies the blob where the file system has no symlinks.
     */
    void link(RepoId repo, String commit, String file, String etag) throws IOException {
        Path pointer = snapshot(repo, commit).resolve(file);
        Path blob = blob(repo, etag);
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
            return;
        }
        Files.deleteIfExists(pointer);
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isSymbolicLink(pointer) || !Files.readSymbolicLink(pointer).equals(target)) {
                throw e;
            }
        } catch (UnsupportedOperationException e) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Moves a finished file into place in one step, replacing what is there. */
    static void moveReplacing(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Every model repository in the cache (by Python or by specdec), sorted by id. */
    public List<CachedModel> models() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<CachedModel> models = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, "models--*")) {
            for (Path folder : folders) {
                RepoId repo = RepoId.fromCacheFolderName(folder.getFileName().toString());
                if (repo != null && Files.isDirectory(folder)) {
                    models.add(new CachedModel(repo, folder, revisions(folder), bytesOnDisk(folder.resolve("blobs"))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        models.sort(Comparator.comparing(m -> m.repo().value()));
        return models;
    }

    private static List<CachedModel.Revision> revisions(Path folder) throws IOException {
        Map<String, List<String>> refsByCommit = new TreeMap<>();
        Path refs = folder.resolve("refs");
        if (Files.isDirectory(refs)) {
            try (Stream<Path> files = Files.walk(refs)) {
                for (Path ref : files.filter(Files::isRegularFile).sorted().toList()) {
                    String commit = Files.readString(ref).strip();
                    refsByCommit.computeIfAbsent(commit, c -> new ArrayList<>())
                            .add(refs.relativize(ref).toString().replace('\\', '/'));
                }
            }
        }
        List<CachedModel.Revision> revisions = new ArrayList<>();
        Path snapshots = folder.resolve("snapshots");
        if (Files.isDirectory(snapshots)) {
            try (DirectoryStream<Path> commits = Files.newDirectoryStream(snapshots)) {
                for (Path snapshot : commits) {
                    String commit = snapshot.getFileName().toString();
                    revisions.add(new CachedModel.Revision(commit, List.copyOf(refsByCommit.getOrDefault(commit,
                            List.of())), snapshot, missingFrom(snapshot)));
                }
            }
        }
        revisions.sort(Comparator.comparing(CachedModel.Revision::commit));
        return List.copyOf(revisions);
    }

    private static String missingFrom(Path snapshot) {
        try {
            return ModelFiles.missingFrom(snapshot);
        } catch (RuntimeException e) {
            return "unreadable " + ModelFiles.WEIGHTS_INDEX;
        }
    }

    private static long bytesOnDisk(Path blobs) throws IOException {
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(blobs)) {
            long total = 0;
            for (Path blob : files.toList()) {
                if (Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(blob);
                }
            }
            return total;
        }
    }
}
