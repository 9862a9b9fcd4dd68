package dev.specdec.hub;

import java.net.URI;

/**
 * The headers of a {@code HEAD /{id}/resolve/{commit}/{file}}, which tell where and what to download.
 *
 * @param commit   {@code X-Repo-Commit}
 * @param etag     {@code X-Linked-Etag} for LFS files (their sha256), else {@code ETag}, without quotes
 * @param size     {@code X-Linked-Size} for LFS files, else {@code Content-Length}; -1 when not sent
 * @param location where the bytes are: the redirect target for LFS files (a CDN), else the resolve URL
 * @param lfs      whether the file is stored in LFS, so that {@code etag} is its sha256
 */
record FileMetadata(String commit, String etag, long size, URI location, boolean lfs) {
}
