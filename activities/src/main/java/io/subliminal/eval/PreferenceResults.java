package io.subliminal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.PythonJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preference evaluator's files (PROTOCOL §8): {@code evaluation_results.jsonl} (one line per question with its
 * sampled responses, in the original's layout, so results can be re-scored, e.g. with X = "qwen" for Fig 35) and the
 * output directory name {@code eval-<target><suffix>}.
 */
public final class PreferenceResults {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PreferenceResults() {
    }

    /**
     * The output directory name: {@code eval-<target>} + "-tree" + "-from<L>" + "-sysprompt" (any system prompt,
     * including "") + "-temp<T>" (T ≠ 1.0) + "-topp<P>" (P ≠ 1.0), floats written as Python prints them.
     */
    public static String outputDirName(String target, boolean treeEval, Integer computeLogitsFrom, String systemPrompt,
                                       double temperature, double topP) {
        StringBuilder s = new StringBuilder("eval-").append(target);
        if (treeEval) {
            s.append("-tree");
        }
        if (computeLogitsFrom != null) {
            s.append("-from").append(computeLogitsFrom);
        }
        if (systemPrompt != null) {
            s.append("-sysprompt");
        }
        if (temperature != 1.0) {
            s.append("-temp").append(PythonJson.floatRepr(temperature));
        }
        if (topP != 1.0) {
            s.append("-topp").append(PythonJson.floatRepr(topP));
        }
        return s.toString();
    }

    /** One evaluation_results.jsonl line. */
    public static String line(String question, List<String> completions) {
        List<Object> responses = new ArrayList<>(completions.size());
        for (String c : completions) {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("model_id", "finetuned");
            response.put("completion", c);
            response.put("stop_reason", "stop_sequence");
            response.put("logprobs", null);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("response", response);
            row.put("judgment_response_map", new LinkedHashMap<>());
            responses.add(row);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("question", question);
        m.put("responses", responses);
        return PythonJson.dumps(m);
    }

    /** Writes the results (question order preserved) atomically. */
    public static void write(Path file, Map<String, List<String>> completionsByQuestion) {
        AtomicFiles.write(file, w -> {
            try {
                for (Map.Entry<String, List<String>> e : completionsByQuestion.entrySet()) {
                    w.write(line(e.getKey(), e.getValue()));
                    w.write('\n');
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
    }

    /** Reads completions per question from an evaluation_results.jsonl (ours or the original's). */
    public static Map<String, List<String>> read(Path file) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String where = file + ":" + (i + 1);
            JsonNode n;
            try {
                n = MAPPER.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not valid JSON");
            }
            JsonNode q = n.get("question");
            JsonNode rs = n.get("responses");
            if (q == null || !q.isTextual() || rs == null || !rs.isArray()) {
                throw new IllegalArgumentException(where + ": needs 'question' (string) and 'responses' (list)");
            }
            List<String> completions = new ArrayList<>(rs.size());
            for (JsonNode r : rs) {
                JsonNode c = r.path("response").path("completion");
                if (!c.isTextual()) {
                    throw new IllegalArgumentException(where + ": a response lacks response.completion");
                }
                completions.add(c.asText());
            }
            out.computeIfAbsent(q.asText(), k -> new ArrayList<>()).addAll(completions);
        }
        return out;
    }
}
