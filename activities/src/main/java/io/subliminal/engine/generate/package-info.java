/**
 * Decoding on a {@link io.subliminal.engine.nn.Transformer}: {@link io.subliminal.engine.generate.Sampler} (HF
 * {@code generate} semantics: left padding, repetition penalty, temperature, top-k, top-p, seeded Gumbel-max sampling
 * or greedy) and {@link io.subliminal.engine.generate.Scorer} (teacher-forced log-probs and argmax for divergence
 * tokens).
 */
package io.subliminal.engine.generate;
