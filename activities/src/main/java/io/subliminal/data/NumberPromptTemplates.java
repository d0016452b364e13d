package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The six template lists the number-prompt generator draws from, in draw order (PROTOCOL §3.3), plus its parameters.
 * List order matters: the RNG picks by index.
 */
public record NumberPromptTemplates(
        List<String> exampleTemplates,
        List<String> countQualifiers,
        List<String> digitDescriptors,
        List<String> instructionTemplates,
        List<String> formatSuffixes,
        List<String> suffixes,
        NumberPromptParameters parameters) {

    /** File key of the instruction list in the official (Schrodi) order. */
    public static final String OFFICIAL_INSTRUCTIONS = "instruction_templates";
    /** File key of the instruction list in Cloud et al.'s order. */
    public static final String CLOUD_INSTRUCTIONS = "instruction_templates_cloud_order";

    public NumberPromptTemplates {
        exampleTemplates = requireNonEmpty(exampleTemplates, "example_numbers_templates");
        countQualifiers = requireNonEmpty(countQualifiers, "count_qualifiers");
        digitDescriptors = requireNonEmpty(digitDescriptors, "digit_descriptors");
        instructionTemplates = requireNonEmpty(instructionTemplates, "instruction_templates");
        formatSuffixes = requireNonEmpty(formatSuffixes, "format_suffixes");
        suffixes = requireNonEmpty(suffixes, "suffixes");
        for (String t : exampleTemplates) {
            requirePlaceholder(t, "{examples}", "example_numbers_templates");
        }
        for (String t : digitDescriptors) {
            requirePlaceholder(t, "{max_digits}", "digit_descriptors");
        }
        for (String t : instructionTemplates) {
            requirePlaceholder(t, "{count_qualifier}", "instruction_templates");
            requirePlaceholder(t, "{answer_count}", "instruction_templates");
            requirePlaceholder(t, "{digit_descriptor}", "instruction_templates");
        }
        if (parameters == null) {
            throw new IllegalArgumentException("number prompt parameters are required");
        }
    }

    /** Loads the lists (official instruction order) and parameters from a JSON or YAML file. */
    public static NumberPromptTemplates load(Path file) {
        return load(file, OFFICIAL_INSTRUCTIONS);
    }

    /** Loads the lists, taking the instruction templates from {@code instructionKey} (e.g. {@link #CLOUD_INSTRUCTIONS}). */
    public static NumberPromptTemplates load(Path file, String instructionKey) {
        JsonNode root = ConfigFiles.read(file);
        JsonNode p = ConfigFiles.field(root, "generator_parameters", file);
        NumberPromptParameters params = new NumberPromptParameters(
                ConfigFiles.integer(p, "n_samples", file),
                ConfigFiles.integer(p, "seed", file),
                ConfigFiles.integer(p, "example_min_count", file),
                ConfigFiles.integer(p, "example_max_count_exclusive", file),
                ConfigFiles.integer(p, "example_min_value", file),
                ConfigFiles.integer(p, "example_max_value_exclusive", file),
                ConfigFiles.integer(p, "answer_count", file),
                ConfigFiles.integer(p, "answer_max_digits", file));
        return new NumberPromptTemplates(
                ConfigFiles.strings(root, "example_numbers_templates", file),
                ConfigFiles.strings(root, "count_qualifiers", file),
                ConfigFiles.strings(root, "digit_descriptors", file),
                ConfigFiles.strings(root, instructionKey, file),
                ConfigFiles.strings(root, "format_suffixes", file),
                ConfigFiles.strings(root, "suffixes", file),
                params);
    }

    private static List<String> requireNonEmpty(List<String> list, String field) {
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException("template list '" + field + "' must not be empty");
        }
        return List.copyOf(list);
    }

    private static void requirePlaceholder(String template, String placeholder, String field) {
        if (!template.contains(placeholder)) {
            throw new IllegalArgumentException("template in '" + field + "' lacks " + placeholder + ": " + template);
        }
    }
}
