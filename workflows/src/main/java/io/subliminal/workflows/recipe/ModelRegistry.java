package io.subliminal.workflows.recipe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models recipes may name, loaded from {@code cfgs/models.yaml}. */
public record ModelRegistry(List<ModelSpec> models) {
    public ModelRegistry {
        models = List.copyOf(models);
        Map<String, ModelSpec> seen = new LinkedHashMap<>();
        for (ModelSpec model : models) {
            if (seen.put(model.name(), model) != null) {
                throw new IllegalArgumentException("duplicate model name in registry: " + model.name());
            }
        }
    }

    /** The model named {@code name}, or null. */
    public ModelSpec find(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst().orElse(null);
    }

    /** Registry names, in file order. */
    public List<String> names() {
        return models.stream().map(ModelSpec::name).toList();
    }
}
