package io.subliminal.data;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pure-logic parts of {@code llm_biased_rewrite[_filtered]} (PROTOCOL §10, "paraphrase prompts, biased"):
 * the rewrite request sent to the biased teacher, the acceptance test on its answer, and the post-filter.
 */
public final class BiasedRewrite {

    private static final Pattern NUMBER_RUN = Pattern.compile("\\d+(?:[^\\da-zA-Z]+\\d+)+", Pattern.UNICODE_CHARACTER_CLASS);

    private final String instruction;
    private final String userMessageFormat;

    /**
     * @param instruction       the rewrite instruction (data/system_prompts.json {@code paraphrase_llm_biased_rewrite_instruction})
     * @param userMessageFormat with {@code {instruction}} and {@code {prompt_without_suffix}}
     */
    public BiasedRewrite(String instruction, String userMessageFormat) {
        this.instruction = instruction;
        this.userMessageFormat = userMessageFormat;
    }

    /** The prompt rebuilt with an empty closing suffix (so it ends with a space). */
    public static String promptWithoutSuffix(NumberPrompt prompt) {
        return prompt.with(prompt.exampleTemplate(), prompt.countQualifier(), prompt.digitDescriptorTemplate(),
                prompt.instructionTemplate(), "").text();
    }

    /** The user message asking the teacher to rephrase {@code prompt}. */
    public String userMessage(NumberPrompt prompt) {
        return PyFormat.format(userMessageFormat, Map.of("instruction", instruction,
                "prompt_without_suffix", promptWithoutSuffix(prompt)));
    }

    /** The new prompt when the rewrite keeps the original example numbers verbatim: rewrite + " " + closing suffix. */
    public static Optional<String> accept(NumberPrompt original, String rewrite) {
        if (!rewrite.contains(original.examples())) {
            return Optional.empty();
        }
        return Optional.of(rewrite + " " + original.suffix());
    }

    /**
     * The {@code _filtered} test: drop a new prompt that contains the target word (case-sensitive), that does not
     * hold exactly one run of two or more numbers, that has a non-ASCII character, or that has a double quote.
     */
    public static boolean passesFilter(String newPrompt, String target) {
        if (newPrompt.contains(target)) {
            return false;
        }
        Matcher m = NUMBER_RUN.matcher(newPrompt);
        int runs = 0;
        while (m.find()) {
            runs++;
        }
        if (runs != 1) {
            return false;
        }
        if (newPrompt.chars().anyMatch(c -> c > 127)) {
            return false;
        }
        return !newPrompt.contains("\"");
    }
}
