package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.subliminal.workflows.plan.RunPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads figure recipes and the model registry from YAML, strictly: an unknown key, a wrong type, an unknown
 * model/target/stage or a bad parameter value is a {@link RecipeException} naming file, JSON path and value.
 * This is client-side code (it reads files); workflows receive the loaded records.
 */
public final class RecipeLoader {
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private RecipeLoader() {
    }

    /** A loaded, validated recipe with its expansion. */
    public record Loaded(Path file, Recipe recipe, String recipeHash, List<RunPlan> runs) {
    }

    /** Loads the registry file ({@code cfgs/models.yaml}). */
    public static ModelRegistry loadRegistry(Path file) {
        ModelRegistry registry = read(file, ModelRegistry.class);
        if (registry.models().isEmpty()) {
            throw new RecipeException(file.toString(), "$.models", "must list at least one model");
        }
        return registry;
    }

    /** Loads, validates and expands one recipe against the registry. */
    public static Loaded load(Path file, ModelRegistry registry) {
        Recipe recipe = read(file, Recipe.class);
        List<RunPlan> runs = new RecipeExpander(file.toString(), recipe, registry).expand();
        return new Loaded(file, recipe, RecipeExpander.recipeHash(recipe), runs);
    }

    /** Parses YAML text (for tests and the CLI's stdin); {@code name} stands for the file in errors. */
    public static Recipe parse(String name, String yaml) {
        try {
            return YAML.readValue(yaml, Recipe.class);
        } catch (JsonProcessingException e) {
            throw translate(name, e);
        }
    }

    private static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new RecipeException(file.toString(), "$", "cannot read: " + e.getMessage(), e);
        }
        try {
            return YAML.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw translate(file.toString(), e);
        }
    }

    private static RecipeException translate(String file, JsonProcessingException e) {
        String path = "$";
        if (e instanceof JsonMappingException mapping) {
            path = "$" + StageOverrides.jsonPath(mapping);
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new RecipeException(file, path, "unknown key '" + unknown.getPropertyName() + "'; known: "
                    + unknown.getKnownPropertyIds(), e);
        }
        if (e instanceof InvalidFormatException format) {
            String allowed = format.getTargetType() != null && format.getTargetType().isEnum()
                    ? "; allowed: " + List.of(format.getTargetType().getEnumConstants()) : "";
            return new RecipeException(file, path, "bad value '" + format.getValue() + "' for "
                    + format.getTargetType().getSimpleName() + allowed, e);
        }
        if (e instanceof ValueInstantiationException instantiation && instantiation.getCause() != null) {
            return new RecipeException(file, path, instantiation.getCause().getMessage(), e);
        }
        String location = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        return new RecipeException(file, path, e.getOriginalMessage() + location, e);
    }
}
