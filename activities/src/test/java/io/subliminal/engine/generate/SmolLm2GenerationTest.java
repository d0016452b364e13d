package io.subliminal.engine.generate;

import ai.djl.Device;
import com.hubspot.jinjava.Jinjava;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.loader.GgufFile;
import io.subliminal.engine.loader.GgufWeights;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded SmolLM2-135M-Instruct (Q4_1 GGUF) answers a chat-templated question greedily and reproducibly. */
class SmolLm2GenerationTest {

    @Test
    void greedyAnswerNamesParisAndIsReproducible() {
        try (GgufFile file = GgufFile.open(EmbeddedModel.smolLm2());
             GgufWeights weights = GgufWeights.of(file);
             HfTokenizer tokenizer = GgufTokenizer.load(file);
             Transformer model = Transformer.load(weights, Device.cpu(), Precision.FP32)) {
            // the GGUF's own chat template, rendered as apply_chat_template(add_generation_prompt=True)
            String template = file.string("tokenizer.chat_template");
            String prompt = new Jinjava().render(template, Map.of(
                    "messages", List.of(Map.of("role", "user", "content", "What is the capital of France?")),
                    "add_generation_prompt", true));
            assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
            int[] ids = tokenizer.encode(prompt, false);
            int eos = (int) file.integer("tokenizer.ggml.eos_token_id");
            assertEquals(tokenizer.tokenId("<|im_end|>"), eos);

            Sampler sampler = new Sampler(model);
            SamplingParams greedy = SamplingParams.greedy(24, List.of(eos), eos);
            Generation first = sampler.generate(List.of(ids), greedy).get(0);
            Generation second = sampler.generate(List.of(ids), greedy).get(0);
            String answer = tokenizer.decode(first.tokens(), true).strip();
            System.out.println("SmolLM2: " + answer);
            assertTrue(answer.contains("Paris"), answer);
            assertArrayEquals(first.tokens(), second.tokens());
        }
    }
}
