package dev.specdec.hub;

import dev.specdec.UsageException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Where and how to reach the Hub, read from the same environment variables as Python's huggingface_hub so
 * both share one cache and one login.
 *
 * @param endpoint        Hub root ({@code HF_ENDPOINT}, default https://huggingface.co)
 * @param cacheDir        hub cache ({@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else ~/.cache/huggingface/hub)
 * @param token           access token or null ({@code HF_TOKEN}, else the file {@code huggingface-cli login} writes)
 * @param offline         {@code HF_HUB_OFFLINE=1}: never touch the network, use only the cache
 * @param metadataTimeout connect and answer timeout of metadata requests ({@code HF_HUB_ETAG_TIMEOUT}, seconds)
 * @param downloadTimeout longest silence tolerated while a file streams ({@code HF_HUB_DOWNLOAD_TIMEOUT}, seconds)
 */
public record HubSettings(URI endpoint, Path cacheDir, String token, boolean offline,
                          Duration metadataTimeout, Duration downloadTimeout) {
    /** Default Hub root. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

    /** Settings of this process: its environment variables and the user's home folder. */
    public static HubSettings fromProcessEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** Settings from the given environment variables, with {@code home} standing for {@code ~}. */
    public static HubSettings fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = pathVariable(env, "HF_HOME", home);
        if (hfHome == null) {
            Path xdgCache = pathVariable(env, "XDG_CACHE_HOME", home);
            hfHome = (xdgCache != null ? xdgCache : home.resolve(".cache")).resolve("huggingface");
        }
        Path cacheDir = pathVariable(env, "HF_HUB_CACHE", home);
        if (cacheDir == null) {
            cacheDir = pathVariable(env, "HUGGINGFACE_HUB_CACHE", home);
        }
        if (cacheDir == null) {
            cacheDir = hfHome.resolve("hub");
        }
        Path tokenFile = pathVariable(env, "HF_TOKEN_PATH", home);
        String token = firstNonBlank(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"),
                readToken(tokenFile != null ? tokenFile : hfHome.resolve("token")));
        String endpoint = nonBlank(env.get("HF_ENDPOINT"));
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubSettings(
                endpoint == null ? DEFAULT_ENDPOINT : parseEndpoint(endpoint),
                cacheDir, token, offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"));
    }

    /** The same settings with other timeouts. */
    public HubSettings withTimeouts(Duration metadata, Duration download) {
        return new HubSettings(endpoint, cacheDir, token, offline, metadata, download);
    }

    /** The same settings with offline mode on or off. */
    public HubSettings withOffline(boolean offlineMode) {
        return new HubSettings(endpoint, cacheDir, token, offlineMode, metadataTimeout, downloadTimeout);
    }

    /** The same settings with another token (null: none). */
    public HubSettings withToken(String newToken) {
        return new HubSettings(endpoint, cacheDir, newToken, offline, metadataTimeout, downloadTimeout);
    }

    /** Whether a token will be sent. */
    public boolean hasToken() {
        return token != null;
    }

    /** Never prints the token itself. */
    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", cacheDir=" + cacheDir + ", token="
                + (token == null ? "none" : "***") + ", offline=" + offline + ", metadataTimeout=" + metadataTimeout
                + ", downloadTimeout=" + downloadTimeout + "]";
    }

    private static URI parseEndpoint(String text) {
        String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        try {
            URI uri = URI.create(trimmed);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException("HF_ENDPOINT='" + text + "' is not an http(s) URL; set it like "
                    + "https://huggingface.co or unset it");
        }
    }

    private static Duration seconds(Map<String, String> env, String name) {
        String value = nonBlank(env.get(name));
        if (value == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            double secs = Double.parseDouble(value);
            if (!(secs > 0) || secs > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(secs * 1000));
        } catch (NumberFormatException e) {
            throw new UsageException(name + "='" + value + "' is not a number of seconds; set it like 10 or unset it");
        }
    }

    private static Path pathVariable(Map<String, String> env, String name, Path home) {
        String value = nonBlank(env.get(name));
        if (value == null) {
            return null;
        }
        if (value.equals("~")) {
            return home;
        }
        if (value.startsWith("~/")) {
            return home.resolve(value.substring(2));
        }
        return Path.of(value);
    }

    private static String readToken(Path file) {
        try {
            return Files.isRegularFile(file) ? nonBlank(Files.readString(file)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.trim().toUpperCase(java.util.Locale.ROOT));
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            String s = nonBlank(v);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
