package dev.specdec.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A model repository found in the cache.
 *
 * @param repo        its Hub id
 * @param folder      its {@code models--...} folder
 * @param revisions   the commits it has snapshots of
 * @param bytesOnDisk total size of its blobs (files shared by several commits count once)
 */
public record CachedModel(RepoId repo, Path folder, List<Revision> revisions, long bytesOnDisk) {

    /**
     * One snapshot.
     *
     * @param commit   the commit hash
     * @param refs     branches or tags that pointed to it when downloaded (e.g. {@code main})
     * @param snapshot its folder
     * @param missing  why specdec cannot use it as it is (e.g. "no model.safetensors"), or null when complete
     */
    public record Revision(String commit, List<String> refs, Path snapshot, String missing) {
        /** Whether it has config.json and all safetensors weights. */
        public boolean complete() {
            return missing == null;
        }
    }
}
