package dev.specdec.hub;

import dev.specdec.SpecdecException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Puts one file of a commit into the cache: blob downloaded under a lock into {@code blobs/{etag}.incomplete},
 * verified, renamed to {@code blobs/{etag}} in one step, then linked from the snapshot.
 */
final class BlobDownloader {
    private final HubCache cache;
    private final HubClient client;
    private final DownloadProgress progress;

    BlobDownloader(HubCache cache, HubClient client, DownloadProgress progress) {
        this.cache = cache;
        this.client = client;
        this.progress = progress;
    }

    /** Makes {@code snapshots/{commit}/{file}} present, downloading only what is not cached yet. */
    void fetch(RepoId repo, String commit, String file) {
        Path pointer = cache.snapshot(repo, commit).resolve(file);
        if (Files.exists(pointer)) {
            return;
        }
        FileMetadata meta = client.fileMetadata(repo, commit, file);
        String display = repo + "/" + file;
        Path blob = cache.blob(repo, meta.etag());
        try (CacheLock _ = CacheLock.acquire(cache.lockFile(repo, meta.etag()), display, progress)) {
            if (!Files.exists(blob)) {
                Path incomplete = cache.incompleteBlob(repo, meta.etag());
                Files.createDirectories(incomplete.getParent());
                cache.tagAsCache();
                checkFreeSpace(incomplete, meta.size(), display);
                client.download(meta, incomplete, display, progress);
                verify(incomplete, meta, display);
                HubCache.moveReplacing(incomplete, blob);
            }
            cache.link(repo, commit, file, meta.etag());
        } catch (IOException e) {
            throw CacheWriteFailure.of(pointer, e);
        }
    }

    private static void checkFreeSpace(Path incomplete, long size, String display) throws IOException {
        if (size < 0) {
            return;
        }
        long needed = size - (Files.exists(incomplete) ? Files.size(incomplete) : 0);
        long free = Files.getFileStore(incomplete.getParent()).getUsableSpace();
        if (needed > free) {
            throw new SpecdecException("not enough disk space for " + display + ": " + ByteSize.format(needed)
                    + " needed, " + ByteSize.format(free) + " free in " + incomplete.getParent()
                    + "; free some space or set HF_HUB_CACHE to a folder on a bigger disk");
        }
    }

    /** LFS files are named by their sha256: a mismatch means a corrupt transfer, which must not enter the cache. */
    private static void verify(Path file, FileMetadata meta, String display) throws IOException {
        if (!meta.lfs() || !meta.etag().matches("[0-9a-f]{64}")) {
            return;
        }
        String actual = sha256(file);
        if (!actual.equals(meta.etag())) {
            Files.deleteIfExists(file);
            throw new SpecdecException("checksum mismatch for " + display + ": expected sha256 " + meta.etag()
                    + ", got " + actual + "; the bad download was deleted, run the command again");
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
