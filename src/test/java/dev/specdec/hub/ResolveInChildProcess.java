package dev.specdec.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Resolves a model in a separate JVM, to test two processes sharing one cache. */
final class ResolveInChildProcess {
    private ResolveInChildProcess() {
    }

    static Process start(URI endpoint, Path cacheDir, String model) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // Quick-starting JVM flags: the child does little work, most of its time is start-up.
        return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                ResolveInChildProcess.class.getName(), endpoint.toString(), cacheDir.toString(), model).start();
    }

    public static void main(String[] args) {
        HubSettings settings = new HubSettings(URI.create(args[0]), Path.of(args[1]), null, false,
                Duration.ofSeconds(40), Duration.ofSeconds(40));
        System.out.println(new ModelResolver(settings, DownloadProgress.silent()).resolve(args[2], null));
    }
}
