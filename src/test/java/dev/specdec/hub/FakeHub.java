package dev.specdec.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub on 127.0.0.1 with the semantics huggingface_hub relies on: revision metadata,
 * {@code resolve/} answering with ETag/X-Repo-Commit (LFS files: a 302 to a "CDN" path carrying
 * X-Linked-Etag = sha256 and X-Linked-Size), and Range requests. Faults are switched on per test.
 */
final class FakeHub implements AutoCloseable {
    /** How long a stalled answer waits at most, so that a test never hangs. */
    private static final long STALL_LIMIT_SECONDS = 30;
    private static final Pattern RESOLVE = Pattern.compile("/(.+)/resolve/([^/]+)/(.+)");
    private static final Pattern API = Pattern.compile("/api/models/(.+)/revision/([^/]+)");

    /** A request as the server saw it. */
    record Seen(String method, String path, String range, String authorization) {
    }

    /** One repository at one commit. */
    static final class Repo {
        final String id;
        final String commit;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        String gated;

        Repo(String id, String commit) {
            this.id = id;
            this.commit = commit;
        }

        Repo file(String name, byte[] content) {
            files.put(name, content);
            return this;
        }

        Repo file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        /** Requires a token equal to {@code token} to download files, like a gated repository. */
        Repo gated(String token) {
            gated = token;
            return this;
        }
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);

    /** File name -> number of future downloads to cut after {@link #dropAfterBytes} bytes. */
    final Map<String, AtomicInteger> drops = new ConcurrentHashMap<>();
    volatile long dropAfterBytes;
    /** File names served with one byte flipped (the sha256 no longer matches). */
    final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
    /** Status (and X-Error-Code) every API and resolve request gets, when set. */
    volatile int forcedStatus;
    volatile String forcedErrorCode;
    /** Answer nothing to API requests until closed. */
    volatile boolean stallApi;
    /** Send an LFS file up to this offset, then go silent until closed; -1: off. */
    volatile long stallBodyAfter = -1;
    /** CDN downloads wait until this many HEAD requests for the file were seen (forces overlapping clients). */
    volatile int cdnWaitsForHeads;
    private final AtomicInteger headsSeen = new AtomicInteger();
    private final Object headsMonitor = new Object();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    Repo add(Repo repo) {
        repos.put(repo.id, repo);
        return repo;
    }

    /** Makes {@code oldId} redirect to {@code newId}, as the Hub does for renamed or moved repositories. */
    void alias(String oldId, String newId) {
        aliases.put(oldId, newId);
    }

    List<Seen> requests(String method, String pathPart) {
        List<Seen> result = new ArrayList<>();
        for (Seen s : seen) {
            if (s.method().equals(method) && s.path().contains(pathPart)) {
                result.add(s);
            }
        }
        return result;
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] content) {
        return HexFormat.of().formatHex(digest("SHA-256", content));
    }

    /** The git blob id, which the Hub sends as the ETag of files stored in git. */
    static String gitBlobId(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return HexFormat.of().formatHex(digest("SHA-1", all));
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin");
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            seen.add(new Seen(method, path, exchange.getRequestHeaders().getFirst("Range"),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            Matcher api = API.matcher(path);
            Matcher resolve = RESOLVE.matcher(path);
            if (api.matches()) {
                api(exchange, api.group(1), api.group(2));
            } else if (path.startsWith("/cdn/")) {
                cdn(exchange, path.substring("/cdn/".length()));
            } else if (resolve.matches()) {
                resolve(exchange, resolve.group(1), resolve.group(2), resolve.group(3));
            } else {
                status(exchange, 404, null);
            }
        } catch (IOException e) {
            // The client went away (a drop or a timeout the test provoked); nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void api(HttpExchange exchange, String id, String revision) throws IOException, InterruptedException {
        if (stallApi) {
            release.await(STALL_LIMIT_SECONDS, TimeUnit.SECONDS);
            return;
        }
        if (forcedStatus != 0) {
            status(exchange, forcedStatus, forcedErrorCode);
            return;
        }
        Repo repo = repos.get(aliases.getOrDefault(id, id));
        if (repo == null) {
            status(exchange, 401, "RepoNotFound");
            return;
        }
        if (!revision.equals("main") && !revision.equals(repo.commit)) {
            status(exchange, 404, "RevisionNotFound");
            return;
        }
        StringBuilder json = new StringBuilder("{\"id\":\"" + repo.id + "\",\"sha\":\"" + repo.commit
                + "\",\"siblings\":[");
        int i = 0;
        for (String name : repo.files.keySet()) {
            json.append(i++ > 0 ? "," : "").append("{\"rfilename\":\"").append(name).append("\"}");
        }
        json.append("]}");
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private void resolve(HttpExchange exchange, String id, String revision, String file)
            throws IOException, InterruptedException {
        if (forcedStatus != 0) {
            status(exchange, forcedStatus, forcedErrorCode);
            return;
        }
        if (aliases.containsKey(id)) {
            exchange.getResponseHeaders().set("Location", "/" + aliases.get(id) + "/resolve/" + revision + "/" + file);
            exchange.sendResponseHeaders(307, -1);
            return;
        }
        Repo repo = repos.get(id);
        if (repo == null) {
            status(exchange, 401, "RepoNotFound");
            return;
        }
        if (repo.gated != null) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                status(exchange, 401, "GatedRepo");
                return;
            }
            if (!auth.equals("Bearer " + repo.gated)) {
                status(exchange, 403, "GatedRepo");
                return;
            }
        }
        byte[] content = repo.files.get(file);
        if (content == null || (!revision.equals("main") && !revision.equals(repo.commit))) {
            exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit);
            status(exchange, 404, "EntryNotFound");
            return;
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (head && file.equals("model.safetensors")) {
            synchronized (headsMonitor) {
                headsSeen.incrementAndGet();
                headsMonitor.notifyAll();
            }
        }
        exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit);
        if (isLfs(file)) {
            String sha = sha256(content);
            exchange.getResponseHeaders().set("ETag", "\"" + gitBlobId(("version lfs " + sha).getBytes()) + "\"");
            exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
            exchange.getResponseHeaders().set("X-Linked-Size", Long.toString(content.length));
            exchange.getResponseHeaders().set("Location", endpoint() + "/cdn/" + id + "/" + file);
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        exchange.getResponseHeaders().set("ETag", "\"" + gitBlobId(content) + "\"");
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(content.length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, content.length);
        exchange.getResponseBody().write(content);
    }

    private void cdn(HttpExchange exchange, String idAndFile) throws IOException, InterruptedException {
        int slash = idAndFile.lastIndexOf('/');
        Repo repo = repos.get(idAndFile.substring(0, slash));
        String file = idAndFile.substring(slash + 1);
        byte[] content = repo == null ? null : repo.files.get(file);
        if (content == null) {
            status(exchange, 404, null);
            return;
        }
        waitForHeads();
        if (Boolean.TRUE.equals(corrupt.get(file))) {
            content = content.clone();
            content[content.length / 2] ^= 0x5A;
        }
        long start = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) {
                status(exchange, 400, null);
                return;
            }
            start = Long.parseLong(m.group(1));
            if (start >= content.length) {
                status(exchange, 416, null);
                return;
            }
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        }
        long length = content.length - start;
        exchange.sendResponseHeaders(range != null ? 206 : 200, length);
        OutputStream out = exchange.getResponseBody();
        AtomicInteger dropsLeft = drops.get(file);
        long limit = length;
        boolean drop = dropsLeft != null && dropsLeft.getAndDecrement() > 0;
        if (drop) {
            limit = Math.min(length, Math.max(0, dropAfterBytes - start));
        }
        if (stallBodyAfter >= 0) {
            out.write(content, (int) start, (int) Math.min(length, Math.max(0, stallBodyAfter - start)));
            out.flush();
            release.await(STALL_LIMIT_SECONDS, TimeUnit.SECONDS);
            return;
        }
        out.write(content, (int) start, (int) limit);
        out.flush();
        // Closing a fixed-length answer before all bytes are written makes the server cut the connection.
    }

    private void waitForHeads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_LIMIT_SECONDS);
        synchronized (headsMonitor) {
            while (headsSeen.get() < cdnWaitsForHeads && System.nanoTime() < deadline) {
                headsMonitor.wait(100);
            }
        }
    }

    private static void status(HttpExchange exchange, int status, String errorCode) throws IOException {
        if (errorCode != null) {
            exchange.getResponseHeaders().set("X-Error-Code", errorCode);
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] body = ("{\"error\":\"" + status + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
