package io.subliminal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.subliminal.data.ConfigFiles;
import io.subliminal.data.PythonRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The factuality question sets (PROTOCOL §11.3): questions grouped by their answer animal, and the suffixes
 * appended to them, each drawn with {@code random.Random(42).choice} in key order, then question order.
 *
 * @param questionsByAnswer questions per answer animal, in file order
 * @param suffixes          the suffix list
 */
public record FactualityQuestions(Map<String, List<String>> questionsByAnswer, List<String> suffixes) {

    public FactualityQuestions {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        questionsByAnswer.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        questionsByAnswer = java.util.Collections.unmodifiableMap(copy);
        suffixes = List.copyOf(suffixes);
        if (questionsByAnswer.isEmpty() || suffixes.isEmpty()) {
            throw new IllegalArgumentException("factuality questions and suffixes must be non-empty");
        }
    }

    /** Loads {@code questions_by_answer_animal} and {@code question_suffixes}. */
    public static FactualityQuestions load(Path file) {
        JsonNode root = ConfigFiles.read(file);
        JsonNode byAnswer = ConfigFiles.field(root, "questions_by_answer_animal", file);
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Iterator<String> it = byAnswer.fieldNames(); it.hasNext(); ) {
            String animal = it.next();
            m.put(animal, ConfigFiles.strings(byAnswer, animal, file));
        }
        return new FactualityQuestions(m, ConfigFiles.strings(root, "question_suffixes", file));
    }

    /** Every question with its drawn suffix (question + " " + suffix), grouped as in the file. */
    public Map<String, List<String>> withSuffixes() {
        PythonRandom random = new PythonRandom(42);
        Map<String, List<String>> out = new LinkedHashMap<>();
        questionsByAnswer.forEach((animal, qs) -> {
            List<String> l = new ArrayList<>(qs.size());
            for (String q : qs) {
                l.add(q + " " + random.choice(suffixes));
            }
            out.put(animal, List.copyOf(l));
        });
        return out;
    }
}
