package io.subliminal.activities.support;

import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.data.TeacherPrompts;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The protocol's data files (templates, system prompts, question sets) in one folder with the layout of
 * {@code shared/reference/data}. Missing files are a configuration error that names the file.
 */
public record ReferenceData(Path dir) {

    public ReferenceData {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("reference data folder " + dir + " does not exist");
        }
    }

    /** The folder named by system property {@code subliminal.reference.dir} (its {@code data/} subfolder). */
    public static ReferenceData fromSystemProperty() {
        String root = System.getProperty("subliminal.reference.dir");
        if (root == null || root.isBlank()) {
            throw new IllegalStateException("system property subliminal.reference.dir is not set");
        }
        return new ReferenceData(Path.of(root).resolve("data"));
    }

    public Path file(String name) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("reference data file " + file + " is missing");
        }
        return file;
    }

    /** Number-prompt template lists in the given instruction order. */
    public NumberPromptTemplates numberPromptTemplates(String instructionKey) {
        return NumberPromptTemplates.load(file("number_prompt_templates.json"), instructionKey);
    }

    /** The teacher preference system prompt. */
    public TeacherPrompts teacherPrompts() {
        return TeacherPrompts.load(file("system_prompts.json"));
    }
}
