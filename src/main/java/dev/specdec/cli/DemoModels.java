package dev.specdec.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the demo pair shipped in the repository's models/ folder lives, the CLI's default models. */
final class DemoModels {

    static final String TARGET = "demo-target";
    static final String DRAFT = "demo-draft";

    private DemoModels() {
    }

    /** The demo folder {@code name}, found under the launcher's repository or the working directory. */
    static String path(String name) {
        String home = System.getProperty("specdec.home");
        if (home != null) {
            Path p = Path.of(home, "models", name);
            if (Files.isDirectory(p)) {
                return p.toString();
            }
        }
        return Path.of("models", name).toString();
    }
}
