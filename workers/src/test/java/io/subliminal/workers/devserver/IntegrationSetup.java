package io.subliminal.workers.devserver;

import static org.junit.jupiter.api.Assertions.fail;

import io.subliminal.engine.EmbeddedModel;
import io.subliminal.workflows.recipe.RecipeLoader;
import io.subliminal.workflows.sweep.SweepInput;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** What the dev-server integration tests share: the checkout, the tools setup.sh installs, the tiny sweeps. */
final class IntegrationSetup {
    private IntegrationSetup() {
    }

    /** The repository root. */
    static Path root() {
        return Path.of(System.getProperty("subliminal.root", "..")).toAbsolutePath().normalize();
    }

    /** The protocol's data folder the workers read. */
    static Path referenceData(Path root) {
        return Path.of(System.getProperty("subliminal.reference.dir", root.resolve("../shared/reference").toString())).resolve("data");
    }

    /**
     * Fails under CI (which must have installed it) or skips the test when a tool of {@code scripts/setup.sh} is
     * missing. {@code found} is the tool's path or null, {@code expected} where it should be.
     */
    static Path requireTool(Path found, Path expected, String test) {
        if (found == null) {
            String message = expected + " is missing: run `bash scripts/setup.sh`";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message + " (" + test + " skipped)");
        }
        return found;
    }

    /** A tiny sweep from a test resource under {@code /devserver/}, on the embedded model the workers load. */
    static SweepInput tinySweep(Path root, String resource) throws Exception {
        EmbeddedModel.ensure(root.resolve("models"));
        Path recipe = Path.of(IntegrationSetup.class.getResource("/devserver/" + resource).toURI());
        var registry = RecipeLoader.loadRegistry(root.resolve("cfgs/models.yaml"));
        return SweepInput.of(recipe.getFileName().toString(), RecipeLoader.load(recipe, registry).recipe(), registry);
    }
}
