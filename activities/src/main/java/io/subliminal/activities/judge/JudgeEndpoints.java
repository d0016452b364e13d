package io.subliminal.activities.judge;

import com.fasterxml.jackson.databind.JsonNode;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.data.ConfigFiles;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The judges served over HTTP ({@code cfgs/judges.yaml}) and where their API keys come from: the process environment
 * (or, in tests, any lookup), read by variable NAME only when a judge is opened. Names not listed here are local
 * judges from the model registry.
 *
 * @param endpoints the configured endpoints by name
 * @param environment looks up an environment variable (null when unset)
 */
public record JudgeEndpoints(Map<String, JudgeEndpoint> endpoints, UnaryOperator<String> environment) {

    public JudgeEndpoints {
        endpoints = Map.copyOf(endpoints);
        environment = environment == null ? System::getenv : environment;
    }

    /** No HTTP judges (every judge is a local model). */
    public static JudgeEndpoints none() {
        return new JudgeEndpoints(Map.of(), System::getenv);
    }

    /** The {@code judges:} list of {@code file} ({name, baseUrl, model, apiKeyEnv}), keys from the process environment. */
    public static JudgeEndpoints load(Path file) {
        return load(file, System::getenv);
    }

    /** As {@link #load(Path)} with keys from {@code environment}. */
    public static JudgeEndpoints load(Path file, UnaryOperator<String> environment) {
        JsonNode list = ConfigFiles.field(ConfigFiles.read(file), "judges", file);
        if (!list.isArray()) {
            throw new IllegalArgumentException("field 'judges' in " + file + " must be a list");
        }
        Map<String, JudgeEndpoint> endpoints = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode entry : list) {
            String where = file + " judges[" + i++ + "]";
            try {
                JudgeEndpoint endpoint = new JudgeEndpoint(ConfigFiles.string(entry, "name", file),
                        URI.create(ConfigFiles.string(entry, "baseUrl", file)), ConfigFiles.string(entry, "model", file),
                        ConfigFiles.string(entry, "apiKeyEnv", file));
                if (endpoints.put(endpoint.name(), endpoint) != null) {
                    throw new IllegalArgumentException("duplicate judge name '" + endpoint.name() + "'");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new JudgeEndpoints(endpoints, environment);
    }

    /** The endpoint called {@code name}, if configured. */
    public Optional<JudgeEndpoint> find(String name) {
        return Optional.ofNullable(endpoints.get(name));
    }

    /** Configured endpoint names. */
    public List<String> names() {
        return new ArrayList<>(endpoints.keySet());
    }

    /**
     * The API key of {@code endpoint} from its environment variable; a missing key fails non-retryably, naming the
     * request field and the variable (never a value).
     */
    public String apiKey(JudgeEndpoint endpoint, String field) {
        String key = environment.apply(endpoint.apiKeyEnv());
        if (key == null || key.isBlank()) {
            throw InvalidInputException.field(field, "judge '" + endpoint.name() + "' needs its API key in environment variable "
                    + endpoint.apiKeyEnv() + ", which is not set on this worker");
        }
        return key.strip();
    }
}
