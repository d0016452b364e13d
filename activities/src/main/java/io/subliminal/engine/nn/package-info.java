/**
 * The model math on DJL: {@link io.subliminal.engine.nn.Transformer} (llama, qwen2, mistral, gemma3_text, phi3 with
 * Hugging Face semantics, fused q/k/v and gate/up weights, LoRA {@link io.subliminal.engine.nn.Adapter}s),
 * {@link io.subliminal.engine.nn.KvCache}, {@link io.subliminal.engine.nn.RotaryEmbedding} and
 * {@link io.subliminal.engine.nn.AttentionMask}. Parity with transformers is tested on the fixtures of
 * {@code scripts/fixtures/make_hf_fixtures.py}.
 */
package io.subliminal.engine.nn;
