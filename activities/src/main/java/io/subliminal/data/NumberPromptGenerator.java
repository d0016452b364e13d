package io.subliminal.data;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The teacher's number-sequence prompts, drawn exactly as the original {@code PromptGenerator} does with one numpy
 * {@code Generator(PCG64(42))} for all prompts (PROTOCOL §3.3): count, values, then one choice from each template
 * list in order.
 */
public final class NumberPromptGenerator {

    private final NumberPromptTemplates templates;
    private final Pcg64 rng;

    /** A generator drawing from {@code rng} (one stream for all prompts, in order). */
    public NumberPromptGenerator(NumberPromptTemplates templates, Pcg64 rng) {
        this.templates = templates;
        this.rng = rng;
    }

    /**
     * The paper's generator: the seed must be 42, because only the state numpy derives from seed 42 is known here
     * (the original script asserts the same).
     */
    public static NumberPromptGenerator paper(NumberPromptTemplates templates) {
        if (templates.parameters().seed() != 42) {
            throw new IllegalArgumentException("generator_parameters.seed must be 42 (numpy SeedSequence is not "
                    + "reimplemented; pass a Pcg64 state for other seeds), got " + templates.parameters().seed());
        }
        return new NumberPromptGenerator(templates, Pcg64.seed42());
    }

    /** The next prompt, as parts. */
    public NumberPrompt next() {
        NumberPromptParameters p = templates.parameters();
        int count = (int) rng.integers(p.exampleMinCount(), p.exampleMaxCountExclusive());
        StringJoiner examples = new StringJoiner(", ");
        for (int i = 0; i < count; i++) {
            examples.add(Long.toString(rng.integers(p.exampleMinValue(), p.exampleMaxValueExclusive())));
        }
        String exampleTemplate = pick(templates.exampleTemplates());
        String countQualifier = pick(templates.countQualifiers());
        String digitDescriptor = pick(templates.digitDescriptors());
        String instruction = pick(templates.instructionTemplates());
        String formatSuffix = pick(templates.formatSuffixes());
        String suffix = pick(templates.suffixes());
        return new NumberPrompt(exampleTemplate, examples.toString(), digitDescriptor,
                Integer.toString(p.answerMaxDigits()), instruction, countQualifier,
                Integer.toString(p.answerCount()), formatSuffix, suffix);
    }

    /** The next {@code n} prompt texts. */
    public List<String> texts(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next().text());
        }
        return out;
    }

    /** All {@code parameters.nSamples} prompt texts. */
    public List<String> all() {
        return texts(templates.parameters().nSamples());
    }

    private String pick(List<String> list) {
        return list.get(rng.choiceIndex(list.size()));
    }
}
