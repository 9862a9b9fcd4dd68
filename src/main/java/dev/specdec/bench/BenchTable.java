package dev.specdec.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a {@link BenchReport} as an aligned text table: medians with [min-max] over the repeats. */
public final class BenchTable {

    private static final String[] HEADER = {"draft", "k", "n", "tokens/s [min-max]", "speed-up [min-max]",
        "alpha", "tok/pass", "c (draft/target)", "verify/step"};

    private BenchTable() {
    }

    public static String render(BenchReport report) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        for (BenchReport.Row r : report.rows()) {
            lines.add(new String[] {
                r.draft(),
                r.greedy() ? "-" : Integer.toString(r.k()),
                Integer.toString(r.maxNewTokens()),
                withRange(r.tokensPerSecond(), "%.1f", ""),
                r.greedy() ? "1.00x" : withRange(r.speedUp(), "%.2f", "x"),
                Double.isNaN(r.acceptance()) ? "-" : String.format(Locale.ROOT, "%.3f", r.acceptance()),
                String.format(Locale.ROOT, "%.2f", r.tokensPerTargetPass()),
                r.draftCostRatio() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.draftCostRatio().median()),
                r.verifyCostRatio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.verifyCostRatio().median()),
            });
        }
        int[] widths = new int[HEADER.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                if (i > 0) {
                    l.append("  ");
                }
                // Names left-aligned, numbers right-aligned.
                String format = i == 0 ? "%-" + widths[i] + "s" : "%" + widths[i] + "s";
                l.append(String.format(Locale.ROOT, format, line[i]));
            }
            b.append(l.toString().stripTrailing()).append('\n');
        }
        b.append(String.format(Locale.ROOT, "medians over %d interleaved repeat%s; alpha = accepted/proposed draft "
                        + "tokens; c = draft time per draft pass / greedy time per target pass; verify/step = time "
                        + "per verification pass / greedy time per target pass%n",
                report.repeats(), report.repeats() == 1 ? "" : "s"));
        return b.toString();
    }

    private static String withRange(Spread s, String number, String unit) {
        String f = number + unit;
        return String.format(Locale.ROOT, f + " [" + number + "-" + number + "]", s.median(), s.min(), s.max());
    }
}
