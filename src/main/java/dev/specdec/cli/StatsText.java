package dev.specdec.cli;

import dev.specdec.decode.DecodingStats;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Renders {@link DecodingStats} for people (lines of text) and for machines (a JSON-ready map). */
final class StatsText {

    private StatsText() {
    }

    /** One line: tokens, seconds, tokens per second. */
    static String speed(String label, DecodingStats s) {
        return String.format(Locale.ROOT, "%-12s %4d tokens  %7.3f s  %8.1f tok/s", label,
                s.generatedTokens(), s.totalNanos() / 1e9, s.tokensPerSecond());
    }

    /** The drafting statistics of a speculative run, several lines. */
    static String drafting(DecodingStats s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "acceptance   %.3f (%d of %d draft tokens accepted, %d rejected)%n",
                s.acceptanceRate(), s.acceptedTokens(), s.proposedTokens(), s.rejectedTokens()));
        b.append(String.format(Locale.ROOT,
                "per pass     %.2f tokens per target pass (%d target passes + %d prompt pass, %d draft passes)%n",
                s.tokensPerTargetPass(), s.targetPasses(), s.prefillPasses(), s.draftPasses()));
        b.append("by position ");
        for (int i = 0; i < s.positions(); i++) {
            b.append(String.format(Locale.ROOT, " %d:%.2f", i + 1, s.acceptanceAt(i)));
        }
        b.append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "time         draft %.3f s, target %.3f s, other %.3f s",
                s.draftNanos() / 1e9, s.targetNanos() / 1e9, s.otherNanos() / 1e9));
        return b.toString();
    }

    static Map<String, Object> json(DecodingStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt_tokens", s.promptTokens());
        m.put("generated_tokens", s.generatedTokens());
        m.put("target_passes", s.targetPasses());
        m.put("prompt_passes", s.prefillPasses());
        m.put("draft_passes", s.draftPasses());
        m.put("proposed_tokens", s.proposedTokens());
        m.put("accepted_tokens", s.acceptedTokens());
        m.put("rejected_tokens", s.rejectedTokens());
        m.put("acceptance_rate", finite(s.acceptanceRate()));
        m.put("tokens_per_target_pass", s.tokensPerTargetPass());
        double[] byPosition = new double[s.positions()];
        for (int i = 0; i < byPosition.length; i++) {
            byPosition[i] = s.acceptanceAt(i);
        }
        m.put("acceptance_by_position", byPosition);
        m.put("seconds_total", s.totalNanos() / 1e9);
        m.put("seconds_prompt", s.prefillNanos() / 1e9);
        m.put("seconds_draft", s.draftNanos() / 1e9);
        m.put("seconds_target", s.targetNanos() / 1e9);
        m.put("seconds_other", s.otherNanos() / 1e9);
        m.put("tokens_per_second", s.tokensPerSecond());
        return m;
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
