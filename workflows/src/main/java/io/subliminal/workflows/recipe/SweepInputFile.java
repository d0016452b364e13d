package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.subliminal.workflows.sweep.SweepInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Command line: validates a recipe and writes the JSON input of a {@code SweepWorkflow} for
 * {@code temporal workflow start --type SweepWorkflow --input-file ...}. Usage:
 * {@code SweepInputFile <recipe.yaml> <out.json> [models.yaml]}. Prints the run count; a bad recipe prints the
 * error (file, path, value) and exits with status 2 without writing anything.
 */
public final class SweepInputFile {
    private SweepInputFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SweepInputFile <recipe.yaml> <out.json> [cfgs/models.yaml]");
            System.exit(64);
        }
        Path recipeFile = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Path registryFile = args.length > 2 ? Path.of(args[2]) : Path.of("cfgs/models.yaml");
        RecipeLoader.Loaded loaded;
        try {
            loaded = RecipeLoader.load(recipeFile, RecipeLoader.loadRegistry(registryFile));
        } catch (RecipeException e) {
            System.err.println("invalid recipe: " + e.getMessage());
            System.exit(2);
            return;
        }
        SweepInput input = SweepInput.of(recipeFile.getFileName().toString(), loaded.recipe(), RecipeLoader.loadRegistry(registryFile));
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path temp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName().toString(), ".tmp");
        Files.writeString(temp, mapper.writeValueAsString(input));
        Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println(loaded.recipe().figure() + ": " + loaded.runs().size() + " runs, recipe hash " + loaded.recipeHash()
                + " -> " + out);
    }
}
