package dev.specdec.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link BenchReport} as JSON-ready maps and lists, with snake_case keys like the CLI's other outputs. */
public final class BenchJson {

    private BenchJson() {
    }

    /** The results part of the JSON: rows, identity check and greedy outputs. */
    public static Map<String, Object> results(BenchReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("repeats", report.repeats());
        m.put("identical", true);
        m.put("checked_generations", report.checkedGenerations());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (BenchReport.Row r : report.rows()) {
            rows.add(row(r));
        }
        m.put("results", rows);
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (BenchReport.GreedyOutput o : report.greedyOutputs()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("prompt", o.prompt());
            item.put("max_new_tokens", o.maxNewTokens());
            item.put("tokens", o.tokens());
            outputs.add(item);
        }
        m.put("greedy_outputs", outputs);
        return m;
    }

    static Map<String, Object> row(BenchReport.Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("draft", r.draft());
        m.put("k", r.greedy() ? null : r.k());
        m.put("max_new_tokens", r.maxNewTokens());
        m.put("tokens", r.tokens());
        m.put("tokens_per_second", spread(r.tokensPerSecond()));
        m.put("speed_up", spread(r.speedUp()));
        m.put("acceptance_rate", Double.isNaN(r.acceptance()) ? null : r.acceptance());
        m.put("tokens_per_target_pass", r.tokensPerTargetPass());
        m.put("ms_per_target_pass", spread(r.targetPassMillis()));
        m.put("ms_per_draft_pass", spread(r.draftPassMillis()));
        m.put("draft_cost_ratio", spread(r.draftCostRatio()));
        m.put("verify_cost_ratio", spread(r.verifyCostRatio()));
        return m;
    }

    static Map<String, Object> spread(Spread s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", s.median());
        m.put("min", s.min());
        m.put("max", s.max());
        m.put("q1", s.q1());
        m.put("q3", s.q3());
        m.put("n", s.count());
        return m;
    }
}
