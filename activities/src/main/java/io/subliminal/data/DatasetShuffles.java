package io.subliminal.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The paraphrasing/shuffling transforms of PROTOCOL §10 (Fig 6, 27-29). One {@link PythonRandom} seeded with the
 * script's {@code --seed} (42) drives a whole run, as {@code random.seed(42)} does in the original.
 */
public final class DatasetShuffles {

    /** Template parts that {@link #shuffleTemplateParts} can redraw. */
    public enum TemplatePart {
        /** Redraws the example template. */
        EXAMPLE_NUMBERS("example_numbers"),
        /** Redraws count qualifier, digit descriptor and instruction template, in that order. */
        GENERATE_NUMBERS_INSTRUCTION_TEMPLATES("generate_numbers_instruction_templates"),
        /** Redraws the closing suffix. */
        SUFFIXES("suffixes");

        private final String id;

        TemplatePart(String id) {
            this.id = id;
        }

        /** The command-line name. */
        public String id() {
            return id;
        }

        /** Parses a command-line name. */
        public static TemplatePart of(String id) {
            for (TemplatePart p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("Unknown template part: " + id);
        }
    }

    /** The README's default part order. */
    public static final List<TemplatePart> DEFAULT_PARTS = List.of(TemplatePart.EXAMPLE_NUMBERS,
            TemplatePart.GENERATE_NUMBERS_INSTRUCTION_TEMPLATES, TemplatePart.SUFFIXES);

    private DatasetShuffles() {
    }

    /** The output name {@code <input>_<type>_<seed>.jsonl} ({@code inputName} without {@code .jsonl}). */
    public static String outputName(String inputName, String shuffleType, List<TemplatePart> parts, long seed) {
        String type = shuffleType;
        if (shuffleType.equals("shuffle_template_parts")) {
            type += "-" + String.join("-", parts.stream().map(TemplatePart::id).toList());
        }
        return inputName + "_" + type + "_" + seed + ".jsonl";
    }

    /** {@code shuffle_within_responses}: each row's numbers shuffled in place; the prompt is unchanged. */
    public static List<DatasetRow> shuffleWithinResponses(List<DatasetRow> rows, PythonRandom random) {
        List<DatasetRow> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow row = rows.get(i);
            ResponseNumbers r = parse(row, i);
            List<String> numbers = new ArrayList<>(r.intStrings());
            random.shuffle(numbers);
            out.add(new DatasetRow(row.prompt(), ResponseNumbers.render(r.prefix(), numbers, r.separator(), r.suffix())));
        }
        return out;
    }

    /**
     * {@code shuffle_across_responses}: all numbers of all rows in file order, shuffled once, then dealt back so each
     * row keeps its count, separator, prefix and suffix.
     */
    public static List<DatasetRow> shuffleAcrossResponses(List<DatasetRow> rows, PythonRandom random) {
        List<ResponseNumbers> parsed = new ArrayList<>(rows.size());
        List<String> all = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ResponseNumbers r = parse(rows.get(i), i);
            parsed.add(r);
            all.addAll(r.intStrings());
        }
        random.shuffle(all);
        List<DatasetRow> out = new ArrayList<>(rows.size());
        int at = 0;
        for (int i = 0; i < rows.size(); i++) {
            ResponseNumbers r = parsed.get(i);
            int n = r.numbers().size();
            out.add(new DatasetRow(rows.get(i).prompt(),
                    ResponseNumbers.render(r.prefix(), all.subList(at, at + n), r.separator(), r.suffix())));
            at += n;
        }
        return out;
    }

    /**
     * {@code shuffle_template_parts} ("paraphrase prompts, unbiased"): parse each prompt back into its parts and
     * redraw the listed parts with {@code random.choice}; example numbers, format suffix and completion stay.
     */
    public static List<DatasetRow> shuffleTemplateParts(List<DatasetRow> rows, List<TemplatePart> parts,
                                                        NumberPromptTemplates templates, PythonRandom random) {
        List<DatasetRow> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            DatasetRow row = rows.get(i);
            NumberPrompt p;
            try {
                p = NumberPrompt.parse(row.prompt(), templates);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
            }
            String example = p.exampleTemplate();
            String qualifier = p.countQualifier();
            String descriptor = p.digitDescriptorTemplate();
            String instruction = p.instructionTemplate();
            String suffix = p.suffix();
            for (TemplatePart part : parts) {
                switch (part) {
                    case EXAMPLE_NUMBERS -> example = random.choice(templates.exampleTemplates());
                    case GENERATE_NUMBERS_INSTRUCTION_TEMPLATES -> {
                        qualifier = random.choice(templates.countQualifiers());
                        descriptor = random.choice(templates.digitDescriptors());
                        instruction = random.choice(templates.instructionTemplates());
                    }
                    case SUFFIXES -> suffix = random.choice(templates.suffixes());
                    default -> throw new IllegalStateException("unhandled part " + part);
                }
            }
            out.add(new DatasetRow(p.with(example, qualifier, descriptor, instruction, suffix).text(), row.completion()));
        }
        return out;
    }

    private static ResponseNumbers parse(DatasetRow row, int index) {
        try {
            return ResponseNumbers.parse(row.completion());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("row " + index + ": " + e.getMessage(), e);
        }
    }
}
