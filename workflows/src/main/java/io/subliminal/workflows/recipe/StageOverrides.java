package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.workflows.stage.StageRequest;
import java.util.Iterator;
import java.util.Map;

/** Applies recipe overrides to a stage request's paper defaults; every failure names file, path and value. */
final class StageOverrides {
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private StageOverrides() {
    }

    /** {@code base} with every override in order (null overrides skipped). */
    @SuppressWarnings("unchecked")
    static <T extends StageRequest> T apply(String file, String path, T base, ObjectNode... overrides) {
        ObjectNode tree = STRICT.valueToTree(base);
        boolean changed = false;
        for (ObjectNode override : overrides) {
            if (override != null) {
                merge(tree, override);
                changed = true;
            }
        }
        if (!changed) {
            return base;
        }
        try {
            return (T) STRICT.treeToValue(tree, base.getClass());
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RecipeException(file, path, cause.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new RecipeException(file, path + jsonPath(e), e.getOriginalMessage(), e);
        } catch (Exception e) {
            throw new RecipeException(file, path, e.getMessage(), e);
        }
    }

    /** Deep merge: objects merge field by field, everything else replaces. */
    static void merge(ObjectNode target, ObjectNode override) {
        Iterator<Map.Entry<String, JsonNode>> fields = override.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode overrideObject) {
                merge(existingObject, overrideObject);
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    static String jsonPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
