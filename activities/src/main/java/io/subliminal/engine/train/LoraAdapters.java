package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.HostTensor;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LoRA adapters of one model, attached to its projections. Parameters are named as PEFT names them
 * ({@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}), layer by layer, A before B.
 */
public final class LoraAdapters implements TrainableWeights, AutoCloseable {

    private final LoraConfig config;
    private final String baseModel;
    private final NDManager manager;
    private final List<LoraAdapter> adapters;
    private final Map<String, NDArray> parameters;

    private LoraAdapters(LoraConfig config, String baseModel, NDManager manager, List<LoraAdapter> adapters) {
        this.config = config;
        this.baseModel = baseModel;
        this.manager = manager;
        this.adapters = List.copyOf(adapters);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (LoraAdapter a : adapters) {
            params.put(PeftAdapter.loraA(a.target().modulePath()), a.a());
            params.put(PeftAdapter.loraB(a.target().modulePath()), a.b());
        }
        this.parameters = Collections.unmodifiableMap(params);
    }

    /**
     * Fresh adapters (A seeded from {@code seed}, B zero) on the projections {@code config} selects, attached to
     * {@code model}. {@code baseModel} is recorded as {@code base_model_name_or_path} when saving.
     */
    public static LoraAdapters initialise(Transformer model, LoraConfig config, long seed, String baseModel) {
        NDManager manager = NDManager.newBaseManager(model.device());
        List<LoraAdapter> list = new ArrayList<>();
        try {
            for (LoraTarget t : LoraTarget.resolve(model.config(), config)) {
                list.add(LoraAdapter.initialise(t, config, seed, manager));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        LoraAdapters out = new LoraAdapters(config, baseModel, manager, list);
        out.attachTo(model);
        return out;
    }

    /**
     * Adapters read from a PEFT directory, attached to {@code model}; every tensor must match a target. Names of the
     * multimodal Gemma 3 layout ({@code model.language_model.layers...}) are accepted too.
     */
    public static LoraAdapters load(Transformer model, Path dir) {
        PeftAdapter peft = PeftAdapter.read(dir).forTextModel();
        LoraConfig config = peft.config();
        NDManager manager = NDManager.newBaseManager(model.device());
        List<LoraAdapter> list = new ArrayList<>();
        try {
            Set<String> used = new HashSet<>();
            for (LoraTarget t : LoraTarget.resolve(model.config(), config)) {
                HostTensor a = peft.tensor(PeftAdapter.loraA(t.modulePath()));
                HostTensor b = peft.tensor(PeftAdapter.loraB(t.modulePath()));
                PeftAdapter.checkShape(a, config.rank(), t.inFeatures());
                PeftAdapter.checkShape(b, t.outFeatures(), config.rank());
                used.add(a.name());
                used.add(b.name());
                list.add(LoraAdapter.of(t, config, a.toArray(), b.toArray(), manager));
            }
            for (String name : peft.tensors().keySet()) {
                if (!used.contains(name)) {
                    throw new IllegalArgumentException("PEFT adapter in " + dir + " has tensor '" + name
                            + "' that matches no projection of this " + model.config().modelType() + " model");
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        LoraAdapters out = new LoraAdapters(config, peft.baseModelNameOrPath(), manager, list);
        out.attachTo(model);
        return out;
    }

    /** Attaches every adapter to its projection of {@code model} (replacing adapters already there). */
    public void attachTo(Transformer model) {
        for (LoraAdapter a : adapters) {
            model.attachAdapter(a.target().modulePath(), a);
        }
    }

    public LoraConfig config() {
        return config;
    }

    public List<LoraAdapter> adapters() {
        return adapters;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The adapter as a PEFT record (values copied to the heap). */
    public PeftAdapter toPeft() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            tensors.put(e.getKey(), new HostTensor(e.getKey(), p.getShape().getShape(),
                    FloatBuffer.wrap(p.toFloatArray())));
        }
        return new PeftAdapter(config, baseModel, tensors);
    }

    /** Writes {@code adapter_model.safetensors} and {@code adapter_config.json} into {@code dir}. */
    @Override
    public void save(Path dir) {
        toPeft().writeInto(dir);
    }

    @Override
    public void restore(Path dir) {
        PeftAdapter peft = PeftAdapter.read(dir).forTextModel();
        if (!peft.config().equals(config)) {
            throw new IllegalArgumentException("adapter in " + dir + " has config " + peft.config()
                    + " but the model's adapters have " + config);
        }
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            HostTensor t = peft.tensor(e.getKey());
            PeftAdapter.checkShape(t, e.getValue().getShape().getShape());
            e.getValue().set(t.toArray());
        }
    }

    @Override
    public void setTraining(boolean training) {
        adapters.forEach(a -> a.setTraining(training));
    }

    @Override
    public void close() {
        manager.close();
    }
}
