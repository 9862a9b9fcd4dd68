package dev.specdec.cli;

import dev.specdec.hub.ByteSize;
import dev.specdec.hub.CachedModel;
import dev.specdec.hub.HubCache;
import dev.specdec.hub.HubSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** {@code specdec models}: what the Hugging Face cache holds, with revisions and size on disk. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the models in the Hugging Face cache (also those downloaded by Python), "
                + "with their revisions and size on disk.")
public final class ModelsCommand implements Callable<Integer> {
    private static final int SHORT_COMMIT = 12;

    @Spec
    CommandSpec spec;

    private final Supplier<HubSettings> settings;

    public ModelsCommand() {
        this(HubSettings::fromProcessEnvironment);
    }

    ModelsCommand(Supplier<HubSettings> settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        HubCache cache = new HubCache(settings.get().cacheDir());
        List<CachedModel> models = cache.models();
        PrintWriter out = spec.commandLine().getOut();
        if (models.isEmpty()) {
            out.println("no models cached in " + cache.root());
            out.flush();
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"MODEL", "SIZE", "REVISIONS"});
        long total = 0;
        for (CachedModel model : models) {
            total += model.bytesOnDisk();
            rows.add(new String[] {model.repo().value(), ByteSize.format(model.bytesOnDisk()), revisions(model)});
        }
        int idWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        int sizeWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
        for (String[] row : rows) {
            out.printf("%-" + idWidth + "s  %" + sizeWidth + "s  %s%n", row[0], row[1], row[2]);
        }
        out.println(models.size() + (models.size() == 1 ? " model, " : " models, ") + ByteSize.format(total)
                + " in " + cache.root());
        out.flush();
        return 0;
    }

    private static String revisions(CachedModel model) {
        if (model.revisions().isEmpty()) {
            return "(no snapshot)";
        }
        List<String> parts = new ArrayList<>();
        for (CachedModel.Revision revision : model.revisions()) {
            String commit = revision.commit().substring(0, Math.min(SHORT_COMMIT, revision.commit().length()));
            String refs = revision.refs().isEmpty() ? "" : String.join(",", revision.refs()) + "@";
            parts.add(refs + commit + (revision.complete() ? "" : " (incomplete: " + revision.missing() + ")"));
        }
        return String.join(" ", parts);
    }
}
