package io.subliminal.workflows.recipe;

/**
 * Mix-in data for a condition (PROTOCOL.md §7.4, Figs 7, 30, 31).
 *
 * @param teacher registry name of the mix-in teacher; null = the student's own base model
 * @param biased true = the mix-in teacher has the run's own target bias; false = control (no-system-prompt) data
 * @param sampling how the mix-in data was sampled (default temperature)
 * @param size rows replaced by mix-in rows (m)
 */
public record MixinSpec(String teacher, boolean biased, TeacherSampling sampling, int size) {
}
