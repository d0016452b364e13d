/**
 * Checkpoint loading: {@link io.subliminal.engine.loader.ModelLoader} turns a Hugging Face directory or a GGUF file
 * into a {@link io.subliminal.engine.ModelBundle}.
 *
 * <ul>
 *   <li>{@link io.subliminal.engine.loader.HfConfig} / {@link io.subliminal.engine.loader.HfGenerationConfig}:
 *       config.json and generation_config.json with transformers' defaults per family;</li>
 *   <li>{@link io.subliminal.engine.loader.SafetensorsFile} (one file, memory-mapped per tensor) and
 *       {@link io.subliminal.engine.loader.SafetensorsWeights} (single or sharded checkpoint);</li>
 *   <li>{@link io.subliminal.engine.loader.GgufFile}, {@link io.subliminal.engine.loader.GgmlDequantizer},
 *       {@link io.subliminal.engine.loader.GgufWeights}: GGUF parsing, ggml block formats, HF names and layout
 *       (including {@link io.subliminal.engine.loader.RopePermutation}, the inverse of llama.cpp's q/k permutation).</li>
 * </ul>
 * Every loader validates its input and reports bad data with the file, tensor or field at fault.
 */
package io.subliminal.engine.loader;
