package io.subliminal.engine.weights;

import io.subliminal.engine.model.ModelConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@link Weights} held in a map from Hugging Face tensor name to {@link HostTensor} (tests, converted checkpoints). */
public final class InMemoryWeights implements Weights {

    private final ModelConfig config;
    private final Map<String, HostTensor> tensors;

    public InMemoryWeights(ModelConfig config, Map<String, HostTensor> tensors) {
        if (config == null) {
            throw new IllegalArgumentException("in-memory weights need a model config");
        }
        this.config = config;
        Map<String, HostTensor> copy = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            if (!name.equals(t.name())) {
                throw new IllegalArgumentException("tensor stored under '" + name + "' is named '" + t.name() + "'");
            }
            copy.put(name, t);
        });
        this.tensors = Collections.unmodifiableMap(copy);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        }
        return t;
    }

    @Override
    public void close() {
    }
}
