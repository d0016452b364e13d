package io.subliminal.workers;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.subliminal.workflows.stage.WorkerEnvironment;
import java.time.Duration;

/**
 * {@code subliminal.*} settings from application.yml, overridable by environment variables
 * ({@code SUBLIMINAL_ROLE}, {@code SUBLIMINAL_TEMPORAL_ADDRESS}, ...).
 */
@ConfigurationProperties("subliminal")
public class WorkerSettings {
    private String role = "orchestrator";
    private String device = "cpu";
    private String store = "file:///tmp/subliminal-store";
    private String modelsDir = "models";
    private String registryFile = "cfgs/models.yaml";
    private Duration drainTimeout = Duration.ofMinutes(5);
    private Duration heartbeatThrottle = Duration.ofSeconds(10);
    private int orchestratorActivitySlots = 16;
    private int modelCacheSize = 1;
    private String modelCacheDir = "models/cache";
    private String modelCacheMaxGb = "200";
    private String referenceDir;
    private String workerDir = "worker";
    private String judgesFile;

    /** Temporal connection settings ({@code subliminal.temporal.*}); a bean of its own, injected where needed. */
    @ConfigurationProperties("temporal")
    public static class Temporal {
        private String address = "127.0.0.1:7233";
        private String namespace = "default";
        private boolean tls;
        private String tlsCert;
        private String tlsKey;
        private String tlsCa;

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public boolean isTls() {
            return tls;
        }

        public void setTls(boolean tls) {
            this.tls = tls;
        }

        public String getTlsCert() {
            return tlsCert;
        }

        public void setTlsCert(String tlsCert) {
            this.tlsCert = tlsCert;
        }

        public String getTlsKey() {
            return tlsKey;
        }

        public void setTlsKey(String tlsKey) {
            this.tlsKey = tlsKey;
        }

        public String getTlsCa() {
            return tlsCa;
        }

        public void setTlsCa(String tlsCa) {
            this.tlsCa = tlsCa;
        }
    }

    /** "orchestrator" or "gpu". */
    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        if (!role.equals("orchestrator") && !role.equals("gpu")) {
            throw new IllegalArgumentException("subliminal.role must be 'orchestrator' or 'gpu', got '" + role + "'");
        }
        this.role = role;
    }

    public String getDevice() {
        return device;
    }

    public void setDevice(String device) {
        this.device = device;
    }

    public String getStore() {
        return store;
    }

    public void setStore(String store) {
        this.store = store;
    }

    public String getModelsDir() {
        return modelsDir;
    }

    public void setModelsDir(String modelsDir) {
        this.modelsDir = modelsDir;
    }

    /** The protocol's data folder (prompt templates, questions: {@code shared/reference/data} layout). */
    public String getReferenceDir() {
        return referenceDir;
    }

    public void setReferenceDir(String referenceDir) {
        this.referenceDir = referenceDir;
    }

    /**
     * Judges served over OpenAI-compatible HTTP endpoints ({@code judges.yaml}: name, baseUrl, model, apiKeyEnv);
     * unset = {@code judges.yaml} next to the registry file, if present.
     */
    public String getJudgesFile() {
        return judgesFile;
    }

    public void setJudgesFile(String judgesFile) {
        this.judgesFile = judgesFile;
    }

    /** Local input cache and scratch space of the stage activities. */
    public String getWorkerDir() {
        return workerDir;
    }

    public void setWorkerDir(String workerDir) {
        this.workerDir = workerDir;
    }

    /** The {@code subliminal.*} settings the stage activities read by key ({@link WorkerEnvironment#settings()}). */
    public java.util.Map<String, String> stageSettings() {
        java.util.Map<String, String> stage = new java.util.HashMap<>();
        if (referenceDir != null && !referenceDir.isBlank()) {
            stage.put("subliminal.reference.dir", referenceDir);
        }
        stage.put("subliminal.worker.dir", workerDir);
        if (judgesFile != null && !judgesFile.isBlank()) {
            stage.put("subliminal.judges.file", judgesFile);
        }
        if (modelCacheDir != null && !modelCacheDir.isBlank()) {
            stage.put("subliminal.model.cache.dir", modelCacheDir);
        }
        if (modelCacheMaxGb != null && !modelCacheMaxGb.isBlank()) {
            stage.put("subliminal.model.cache.max-gb", modelCacheMaxGb);
        }
        return stage;
    }

    public String getRegistryFile() {
        return registryFile;
    }

    public void setRegistryFile(String registryFile) {
        this.registryFile = registryFile;
    }

    /** How long SIGTERM waits for the running activity to checkpoint and hand itself back. */
    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    /** Upper bound between heartbeats sent to the server: cancellation and drain latency of GPU activities. */
    public Duration getHeartbeatThrottle() {
        return heartbeatThrottle;
    }

    public void setHeartbeatThrottle(Duration heartbeatThrottle) {
        this.heartbeatThrottle = heartbeatThrottle;
    }

    /** Base models a GPU worker keeps loaded between activities (1 fits one 7B model per device). */
    public int getModelCacheSize() {
        return modelCacheSize;
    }

    public void setModelCacheSize(int modelCacheSize) {
        this.modelCacheSize = modelCacheSize;
    }

    /**
     * Where base models of {@code source: s3} registry entries are cached on this host (shared by the workers of
     * the host that point at the same directory).
     */
    public String getModelCacheDir() {
        return modelCacheDir;
    }

    public void setModelCacheDir(String modelCacheDir) {
        this.modelCacheDir = modelCacheDir;
    }

    /** Size bound of the S3 base-model cache in GiB (least recently used checkpoints are removed beyond it). */
    public String getModelCacheMaxGb() {
        return modelCacheMaxGb;
    }

    public void setModelCacheMaxGb(String modelCacheMaxGb) {
        this.modelCacheMaxGb = modelCacheMaxGb;
    }

    public int getOrchestratorActivitySlots() {
        return orchestratorActivitySlots;
    }

    public void setOrchestratorActivitySlots(int orchestratorActivitySlots) {
        this.orchestratorActivitySlots = orchestratorActivitySlots;
    }
}
