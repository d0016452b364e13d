package io.subliminal.engine.generate;

import ai.djl.Device;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.loader.ModelLoader;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.tokenizer.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded SmolLM2-135M-Instruct (Q4_1 GGUF) answers a chat-templated question greedily and reproducibly. */
class SmolLm2GenerationTest {

    @Test
    void greedyAnswerNamesParisAndIsReproducible() {
        try (ModelBundle bundle = ModelLoader.load(EmbeddedModel.smolLm2());
             Transformer model = Transformer.load(bundle.weights(), Device.cpu(), Precision.FP32)) {
            String prompt = bundle.chatTemplate().render(
                    List.of(new ChatMessage("user", "What is the capital of France?")), true);
            assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
            int[] ids = bundle.tokenizer().encode(prompt, false);

            Sampler sampler = new Sampler(model);
            SamplingParams greedy = SamplingParams.from(bundle.generation(),
                    SamplingParams.Overrides.none().withDoSample(false).withMaxNewTokens(24));
            Generation first = sampler.generate(List.of(ids), greedy).get(0);
            Generation second = sampler.generate(List.of(ids), greedy).get(0);
            String answer = bundle.tokenizer().decode(first.tokens(), true).strip();
            System.out.println("SmolLM2: " + answer);
            assertTrue(answer.contains("Paris"), answer);
            assertTrue(first.stopped(), "the answer ends with <|im_end|>");
            assertArrayEquals(first.tokens(), second.tokens());
        }
    }
}
