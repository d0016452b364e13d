package io.subliminal.eval;

import io.subliminal.data.ConfigFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * A list of evaluation questions (preference: 50 animal or 50 tree questions, sent exactly as listed) with the
 * number of samples drawn per question.
 *
 * @param questions          the questions, in file order
 * @param samplesPerQuestion responses sampled per question (200 in the paper)
 */
public record QuestionSet(List<String> questions, int samplesPerQuestion) {

    /** Key of the paper's animal questions in data/preference_eval_questions.json. */
    public static final String ANIMAL = "animal_questions";
    /** Key of the tree questions ({@code --tree_eval}). */
    public static final String TREE = "tree_questions";

    public QuestionSet {
        questions = List.copyOf(questions);
        if (questions.isEmpty()) {
            throw new IllegalArgumentException("a question set needs at least one question");
        }
        if (questions.stream().distinct().count() != questions.size()) {
            throw new IllegalArgumentException("questions must be distinct (scores are grouped by question text)");
        }
        if (samplesPerQuestion <= 0) {
            throw new IllegalArgumentException("samples per question must be positive, got " + samplesPerQuestion);
        }
    }

    /**
     * Loads the list under {@code key} and its sample count from {@code <singular>_n_samples_per_question}
     * (e.g. {@code animal_n_samples_per_question}); a missing count defaults to 200.
     */
    public static QuestionSet load(Path file, String key) {
        var root = ConfigFiles.read(file);
        List<String> q = ConfigFiles.strings(root, key, file);
        String countKey = key.replace("_questions", "_n_samples_per_question");
        int n = root.has(countKey) ? ConfigFiles.integer(root, countKey, file) : 200;
        return new QuestionSet(q, n);
    }
}
