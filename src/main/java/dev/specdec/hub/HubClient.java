package dev.specdec.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.specdec.SpecdecException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hub's HTTP API as huggingface_hub uses it: revision metadata, a HEAD on {@code resolve/} that is not
 * followed off the Hub (the LFS redirect carries the file's metadata), and resumable downloads.
 */
final class HubClient implements AutoCloseable {
    private static final int MAX_REDIRECTS = 10;
    /** Tries per file, each resuming where the previous one stopped; a try that brings no new byte ends it. */
    static final int MAX_ATTEMPTS = 5;
    private static final String USER_AGENT = "specdec/0.1.0; java/" + Runtime.version().feature();
    private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes (\\d+)-");

    private final HubSettings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.metadataTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The commit a revision points to and the files it has. */
    RevisionInfo revision(RepoId repo, String revision) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + repo.value() + "/revision/"
                + URLEncoder.encode(revision, StandardCharsets.UTF_8));
        HttpResponse<byte[]> response = null;
        URI current = uri;
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpRequest request = request(current, settings.metadataTimeout())
                        .header("Accept", "application/json").GET().build();
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                URI next = redirectTarget(response, current);
                if (next == null || !sameServer(next, settings.endpoint())) {
                    break;
                }
                current = next;
            }
        } catch (IOException e) {
            throw unreachable(e, settings.metadataTimeout(), "HF_HUB_ETAG_TIMEOUT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpecdecException("interrupted while asking " + settings.endpoint() + " about " + repo, e);
        }
        if (response.statusCode() != 200) {
            throw httpError(response.statusCode(), response.headers(), repo, revision, null);
        }
        try {
            JsonNode body = json.readTree(response.body());
            String commit = body.path("sha").asText("");
            if (!HubCache.isCommitHash(commit)) {
                throw new IOException("no commit hash in the answer");
            }
            Set<String> files = new LinkedHashSet<>();
            for (JsonNode sibling : body.path("siblings")) {
                files.add(sibling.path("rfilename").asText());
            }
            return new RevisionInfo(commit, files);
        } catch (IOException e) {
            throw new SpecdecException(uri + " did not answer like a Hugging Face Hub (" + e.getMessage()
                    + "); check HF_ENDPOINT", e);
        }
    }

    /**
     * The headers of {@code resolve/{commit}/{file}}. Redirects within the Hub (renamed repositories) are
     * followed; the one to the file's storage is not, because the metadata (X-Linked-Etag...) is on it and the
     * token must not leave the Hub.
     */
    FileMetadata fileMetadata(RepoId repo, String commit, String file) {
        URI current = resolveUri(repo, commit, file);
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpRequest request = request(current, settings.metadataTimeout())
                        .header("Accept-Encoding", "identity")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                int status = response.statusCode();
                HttpHeaders headers = response.headers();
                URI next = redirectTarget(response, current);
                boolean lfsRedirect = headers.firstValue("X-Linked-Etag").isPresent();
                if (next != null && !lfsRedirect && sameServer(next, settings.endpoint())) {
                    current = next;
                    continue;
                }
                if (next == null && status / 100 != 2) {
                    throw httpError(status, headers, repo, commit, file);
                }
                return metadata(headers, next != null ? next : current, next != null, file);
            }
        } catch (IOException e) {
            throw unreachable(e, settings.metadataTimeout(), "HF_HUB_ETAG_TIMEOUT");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpecdecException("interrupted while asking " + settings.endpoint() + " about " + file, e);
        }
        throw new SpecdecException("too many redirects for " + file + " of " + repo + " at " + settings.endpoint()
                + "; check HF_ENDPOINT");
    }

    private FileMetadata metadata(HttpHeaders headers, URI location, boolean redirected, String file) {
        String commit = headers.firstValue("X-Repo-Commit").orElse(null);
        if (commit == null) {
            throw new SpecdecException("the answer for " + file + " from " + settings.endpoint() + " has no "
                    + "X-Repo-Commit header, so it is not a Hugging Face Hub; check HF_ENDPOINT and proxy settings");
        }
        String linkedEtag = headers.firstValue("X-Linked-Etag").orElse(null);
        String etag = normalizeEtag(linkedEtag != null ? linkedEtag : headers.firstValue("ETag").orElse(null));
        if (etag == null || !etag.matches("[A-Za-z0-9._-]+") || etag.chars().allMatch(c -> c == '.')) {
            throw new SpecdecException("the answer for " + file + " from " + settings.endpoint() + " has no usable "
                    + "ETag header; check HF_ENDPOINT and proxy settings");
        }
        String size = headers.firstValue("X-Linked-Size")
                .orElse(redirected ? null : headers.firstValue("Content-Length").orElse(null));
        long bytes = -1;
        if (size != null) {
            try {
                bytes = Long.parseLong(size.strip());
            } catch (NumberFormatException e) {
                bytes = -1;
            }
        }
        return new FileMetadata(commit, etag, bytes, location, linkedEtag != null);
    }

    /** Strips the quotes (and a weak-validator prefix) so the ETag can name a file, as huggingface_hub does. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        value = value.replace("\"", "");
        return value.isEmpty() ? null : value;
    }

    /**
     * Downloads {@code meta.location()} into {@code target}, continuing after the bytes already there (an
     * earlier interrupted run) with a Range request, and retrying the same way when the connection drops.
     * The file is left in place when the transfer fails, for the next run to resume.
     */
    void download(FileMetadata meta, Path target, String displayName, DownloadProgress progress) {
        long expected = meta.size();
        for (int attempt = 1; ; attempt++) {
            long before = sizeOf(target);
            if (expected >= 0 && before > expected) {
                discard(target);
                before = 0;
            }
            if (expected >= 0 && before == expected) {
                return;
            }
            try {
                long after = transfer(meta.location(), target, before, expected, displayName, progress);
                if (expected < 0 || after == expected) {
                    return;
                }
                if (after > expected) {
                    discard(target);
                    throw new SpecdecException(displayName + " from " + meta.location().getHost() + " is larger ("
                            + after + " bytes) than the Hub announced (" + expected + "); run the command again");
                }
                boolean restarted = after == 0 && before > 0;
                if (attempt < MAX_ATTEMPTS && (after > before || restarted)) {
                    continue;
                }
                throw interrupted(displayName, after, expected, "the server closed the connection early");
            } catch (IOException e) {
                long after = sizeOf(target);
                if (attempt < MAX_ATTEMPTS && after > before) {
                    continue;
                }
                if (e instanceof HttpConnectTimeoutException || (e instanceof HttpTimeoutException && after == before
                        && before == 0)) {
                    throw unreachable(e, settings.downloadTimeout(), "HF_HUB_DOWNLOAD_TIMEOUT");
                }
                throw interrupted(displayName, after, expected, describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SpecdecException("interrupted while downloading " + displayName, e);
            }
        }
    }

    /** One GET of the rest of the file; returns the file's size afterwards. */
    private long transfer(URI location, Path target, long offset, long expected, String displayName,
                          DownloadProgress progress) throws IOException, InterruptedException {
        URI current = location;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = request(current, settings.downloadTimeout()).GET();
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
                    http.send(request.build(), HubClient::bodyOnSuccess);
            URI next = redirectTarget(response, current);
            if (next != null) {
                current = next;
                continue;
            }
            int status = response.statusCode();
            if (status == 416 && offset > 0) {
                discard(target);
                return 0;
            }
            if (status != 200 && status != 206) {
                throw new SpecdecException("download of " + displayName + " failed with HTTP " + status + " from "
                        + current.getHost() + "; run the command again later");
            }
            long start = 0;
            if (status == 206) {
                Matcher range = CONTENT_RANGE_START.matcher(response.headers().firstValue("Content-Range").orElse(""));
                start = range.find() ? Long.parseLong(range.group(1)) : -1;
                if (start != offset) {
                    new StreamingBody(response.body(), settings.downloadTimeout()).close();
                    discard(target);
                    throw new IOException("the server answered the resume request with another range");
                }
            }
            return write(response.body(), target, start, expected, displayName, progress);
        }
        throw new IOException("too many redirects");
    }

    private long write(Flow.Publisher<List<ByteBuffer>> body, Path target, long start, long total,
                       String displayName, DownloadProgress progress) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw CacheWriteFailure.of(target, e);
        }
        boolean success = false;
        try (channel; StreamingBody chunks = new StreamingBody(body, settings.downloadTimeout())) {
            try {
                channel.truncate(start);
                channel.position(start);
            } catch (IOException e) {
                throw CacheWriteFailure.of(target, e);
            }
            progress.started(displayName, total, start);
            List<ByteBuffer> buffers;
            while ((buffers = chunks.next()) != null) {
                for (ByteBuffer buffer : buffers) {
                    int length = buffer.remaining();
                    try {
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    } catch (IOException e) {
                        if (CacheWriteFailure.isDiskFull(e)) {
                            Files.deleteIfExists(target);
                        }
                        throw CacheWriteFailure.of(target, e);
                    }
                    progress.advanced(length);
                }
            }
            channel.force(true);
            success = true;
            return channel.size();
        } finally {
            progress.finished(success);
        }
    }

    private static HttpResponse.BodySubscriber<Flow.Publisher<List<ByteBuffer>>> bodyOnSuccess(
            HttpResponse.ResponseInfo info) {
        return info.statusCode() == 200 || info.statusCode() == 206
                ? HttpResponse.BodySubscribers.ofPublisher()
                : HttpResponse.BodySubscribers.replacing(null);
    }

    private HttpRequest.Builder request(URI uri, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", USER_AGENT);
        if (settings.hasToken() && sameServer(uri, settings.endpoint())) {
            builder.header("Authorization", "Bearer " + settings.token());
        }
        return builder;
    }

    private URI resolveUri(RepoId repo, String commit, String file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.split("/")) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return URI.create(settings.endpoint() + "/" + repo.value() + "/resolve/" + commit + path);
    }

    private static URI redirectTarget(HttpResponse<?> response, URI current) {
        int status = response.statusCode();
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            return null;
        }
        return response.headers().firstValue("Location").map(current::resolve).orElse(null);
    }

    private static boolean sameServer(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw CacheWriteFailure.of(file, e);
        }
    }

    private SpecdecException interrupted(String displayName, long have, long expected, String cause) {
        return new SpecdecException("download of " + displayName + " from " + settings.endpoint().getHost()
                + " stopped at " + ByteSize.format(have) + (expected >= 0 ? " of " + ByteSize.format(expected) : "")
                + " (" + cause + "); run the command again to resume");
    }

    private SpecdecException unreachable(IOException e, Duration timeout, String timeoutVariable) {
        String seconds = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        if (e instanceof HttpConnectTimeoutException) {
            return new SpecdecException("could not connect to " + settings.endpoint() + " within " + seconds
                    + "; check your network connection or HF_ENDPOINT, or use HF_HUB_OFFLINE=1 with cached models", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new SpecdecException(settings.endpoint() + " did not answer within " + seconds + "; check your "
                    + "network connection, retry later, or allow more time with " + timeoutVariable, e);
        }
        return new SpecdecException("cannot reach " + settings.endpoint() + " (" + describe(e) + "); check your "
                + "network connection or HF_ENDPOINT, or use HF_HUB_OFFLINE=1 with cached models", e);
    }

    private SpecdecException httpError(int status, HttpHeaders headers, RepoId repo, String revision, String file) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String what = repo != null ? "model " + repo : file;
        String page = repo != null ? settings.endpoint() + "/" + repo : settings.endpoint().toString();
        boolean token = settings.hasToken();
        if (status == 401 && !token) {
            return new SpecdecException(what + " is private, gated or does not exist (HTTP 401 from "
                    + settings.endpoint().getHost() + "): if you have access, set HF_TOKEN or run "
                    + "`huggingface-cli login`; otherwise check the model id");
        }
        if (status == 401) {
            return new SpecdecException(settings.endpoint().getHost() + " refused the token for " + what
                    + " (HTTP 401): check that HF_TOKEN (or the token of `huggingface-cli login`) is valid and can "
                    + "read this model, and that the model id is right");
        }
        if (status == 403 && !token) {
            return new SpecdecException(what + " is gated (HTTP 403): accept its terms at " + page
                    + ", then set HF_TOKEN or run `huggingface-cli login`");
        }
        if (status == 403) {
            return new SpecdecException("your token has no access to " + what + " (HTTP 403"
                    + ("GatedRepo".equals(code) ? ", gated model" : "") + "): request access at " + page
                    + " or use a token with read permission in HF_TOKEN");
        }
        if (status == 404 && "RevisionNotFound".equals(code)) {
            return new SpecdecException("revision '" + revision + "' of " + what + " not found on "
                    + settings.endpoint().getHost() + " (HTTP 404); check --revision");
        }
        if (status == 404 && (file != null || "EntryNotFound".equals(code))) {
            return new SpecdecException("file " + file + (repo != null ? " of model " + repo : "") + " not found on "
                    + settings.endpoint().getHost() + " (HTTP 404); the repository changed or is not a GPT-2 model");
        }
        if (status == 404) {
            return new SpecdecException(what + " not found on " + settings.endpoint().getHost()
                    + " (HTTP 404); check the model id, e.g. gpt2 or openai-community/gpt2");
        }
        if (status == 429) {
            return new SpecdecException(settings.endpoint().getHost() + " is rate-limiting requests (HTTP 429); "
                    + "wait a few minutes, or set HF_TOKEN to get a higher limit");
        }
        if (status >= 500) {
            return new SpecdecException(settings.endpoint().getHost() + " failed to serve " + what + " (HTTP "
                    + status + "); retry later");
        }
        return new SpecdecException("unexpected answer HTTP " + status + " from " + settings.endpoint().getHost()
                + " for " + what + "; check HF_ENDPOINT and proxy settings");
    }

    /** The most telling message in a chain of causes (the JDK's connect failures often have none on top). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "host name not found";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage().strip().lines().findFirst().orElse("");
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
        }
        return e.getClass().getSimpleName();
    }

    @Override
    public void close() {
        // shutdownNow, not close: close() would wait for a stalled server that never finishes its answer.
        http.shutdownNow();
    }
}
