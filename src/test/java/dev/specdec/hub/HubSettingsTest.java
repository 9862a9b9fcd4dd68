package dev.specdec.hub;

import dev.specdec.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsMatchHuggingfaceHub() {
        HubSettings s = HubSettings.fromEnvironment(Map.of(), home);

        assertEquals(URI.create("https://huggingface.co"), s.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), s.cacheDir());
        assertNull(s.token());
        assertFalse(s.offline());
        assertEquals(Duration.ofSeconds(10), s.metadataTimeout());
        assertEquals(Duration.ofSeconds(10), s.downloadTimeout());
    }

    @Test
    void cacheFolderPrecedence() {
        assertEquals(Path.of("/x/cache/huggingface/hub"),
                HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x/cache"), home).cacheDir());
        assertEquals(Path.of("/hf/hub"),
                HubSettings.fromEnvironment(Map.of("HF_HOME", "/hf", "XDG_CACHE_HOME", "/x"), home).cacheDir());
        assertEquals(Path.of("/direct"),
                HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "/direct", "HF_HOME", "/hf"), home).cacheDir());
        assertEquals(home.resolve("models/hub"),
                HubSettings.fromEnvironment(Map.of("HF_HOME", "~/models"), home).cacheDir());
    }

    @Test
    void tokenFromVariableBeatsTheLoginFile() throws IOException {
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_fromfile\n");

        assertEquals("hf_fromfile", HubSettings.fromEnvironment(Map.of(), home).token());
        assertEquals("hf_env", HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home).token());
    }

    @Test
    void tokenFileFollowsHfHome() throws IOException {
        Path hfHome = home.resolve("elsewhere");
        Files.createDirectories(hfHome);
        Files.writeString(hfHome.resolve("token"), "hf_there");

        assertEquals("hf_there", HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token());
    }

    @Test
    void endpointOfflineAndTimeouts() {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/",
                "HF_HUB_OFFLINE", "1", "HF_HUB_ETAG_TIMEOUT", "2.5", "HF_HUB_DOWNLOAD_TIMEOUT", "30"), home);

        assertEquals(URI.create("http://127.0.0.1:8080"), s.endpoint());
        assertTrue(s.offline());
        assertEquals(Duration.ofMillis(2500), s.metadataTimeout());
        assertEquals(Duration.ofSeconds(30), s.downloadTimeout());
        assertTrue(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "true"), home).offline());
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());
    }

    @Test
    void badValuesAreUsageErrorsNamingTheVariable() {
        UsageException timeout = assertThrows(UsageException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "soon"), home));
        assertTrue(timeout.getMessage().startsWith("HF_HUB_DOWNLOAD_TIMEOUT='soon'"), timeout.getMessage());
        UsageException endpoint = assertThrows(UsageException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "huggingface.co"), home));
        assertTrue(endpoint.getMessage().startsWith("HF_ENDPOINT='huggingface.co'"), endpoint.getMessage());
    }

    @Test
    void toStringNeverShowsTheToken() {
        String text = HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_secret123"), home).toString();

        assertFalse(text.contains("hf_secret123"), text);
        assertTrue(text.contains("token=***"), text);
    }
}
