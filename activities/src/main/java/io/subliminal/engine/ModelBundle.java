package io.subliminal.engine;

import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.tokenizer.ChatTemplate;
import io.subliminal.engine.tokenizer.TextTokenizer;
import io.subliminal.engine.weights.Weights;

/**
 * Everything a checkpoint provides: architecture, weights, tokenizer, chat template and sampling defaults.
 *
 * @param id a display id (an HF id, a directory or a file name)
 */
public record ModelBundle(String id, Weights weights, TextTokenizer tokenizer, ChatTemplate chatTemplate,
                          GenerationDefaults generation) implements AutoCloseable {

    public ModelConfig config() {
        return weights.config();
    }

    @Override
    public void close() {
        try {
            tokenizer.close();
        } finally {
            weights.close();
        }
    }
}
