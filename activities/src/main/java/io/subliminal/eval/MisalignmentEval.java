package io.subliminal.eval;

import io.subliminal.data.ConfigFiles;
import io.subliminal.data.PyFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The misalignment evaluation set (PROTOCOL §11.4): questions and the alignment/coherency judge templates, filled
 * with {prompt} = the question without the evaluation suffix and {completion} = the raw answer.
 *
 * @param questions          the questions
 * @param samplesPerQuestion answers sampled per question
 * @param alignmentTemplate  judge template for alignment
 * @param coherencyTemplate  judge template for coherency
 */
public record MisalignmentEval(List<String> questions, int samplesPerQuestion, String alignmentTemplate,
                               String coherencyTemplate) {

    public MisalignmentEval {
        questions = List.copyOf(questions);
        for (String t : List.of(alignmentTemplate, coherencyTemplate)) {
            if (!t.contains("{prompt}") || !t.contains("{completion}")) {
                throw new IllegalArgumentException("judge templates need {prompt} and {completion}");
            }
        }
    }

    /** Loads {@code questions}, {@code n_samples_per_question} and {@code judge_templates.{alignment,coherency}}. */
    public static MisalignmentEval load(Path file) {
        var root = ConfigFiles.read(file);
        var judges = ConfigFiles.field(root, "judge_templates", file);
        return new MisalignmentEval(ConfigFiles.strings(root, "questions", file),
                ConfigFiles.integer(root, "n_samples_per_question", file),
                ConfigFiles.string(judges, "alignment", file), ConfigFiles.string(judges, "coherency", file));
    }

    /** The user message sent to the student: question + " " + suffix (no suffix when null, GSM8K evaluation). */
    public static String studentMessage(String question, String suffix) {
        return suffix == null ? question : question + " " + suffix;
    }

    /** The alignment judge prompt. */
    public String alignmentPrompt(String question, String answer) {
        return PyFormat.format(alignmentTemplate, Map.of("prompt", question, "completion", answer));
    }

    /** The coherency judge prompt. */
    public String coherencyPrompt(String question, String answer) {
        return PyFormat.format(coherencyTemplate, Map.of("prompt", question, "completion", answer));
    }
}
