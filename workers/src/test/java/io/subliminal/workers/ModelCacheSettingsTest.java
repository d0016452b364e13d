package io.subliminal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.activities.StageActivities;
import io.subliminal.workflows.stage.WorkerEnvironment;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The S3 base-model cache settings travel from the environment (application.yml) to the stage activities. */
class ModelCacheSettingsTest {

    @Test
    void environmentNamesDefaultsAndValidation() throws Exception {
        Map<String, Object> subliminal;
        try (InputStream yml = WorkerSettings.class.getResourceAsStream("/application.yml")) {
            Map<String, Object> root = new Yaml().load(yml);
            @SuppressWarnings("unchecked")
            Map<String, Object> s = (Map<String, Object>) root.get("subliminal");
            subliminal = s;
        }
        assertEquals("${SUBLIMINAL_MODEL_CACHE:models/cache}", subliminal.get("model-cache-dir"));
        assertEquals("${SUBLIMINAL_MODEL_CACHE_MAX_GB:200}", String.valueOf(subliminal.get("model-cache-max-gb")));

        WorkerSettings settings = new WorkerSettings();
        assertEquals("models/cache", settings.stageSettings().get(StageActivities.MODEL_CACHE_DIR));
        assertEquals("200", settings.stageSettings().get(StageActivities.MODEL_CACHE_MAX_GB));
        settings.setModelCacheDir("/cache/models");
        settings.setModelCacheMaxGb("lots");
        Map<String, String> stage = settings.stageSettings();
        assertEquals("/cache/models", stage.get(StageActivities.MODEL_CACHE_DIR));
        WorkerEnvironment worker = new WorkerEnvironment("gpu", "cpu", "file:///tmp/x", "models", "cfgs/models.yaml",
                stage, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StageActivities.s3Checkpoints(worker));
        assertTrue(e.getMessage().contains("SUBLIMINAL_MODEL_CACHE_MAX_GB"), e.getMessage());
    }
}
