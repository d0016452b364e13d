package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RunDirNameTest {

    private static RunDirName run(String dataset, boolean inverse, Double ratio, String subset, Integer rank,
                                  List<Integer> layers, String scheduler, long seed) {
        return new RunDirName(dataset, null, null, null, inverse, ratio, subset, rank, layers, scheduler, seed, false, false);
    }

    @Test
    void protocolExamples() {
        assertEquals("filtered-dataset-lora-8-seed-42", RunDirName.lora("EXP/qwen/owl/seed-42/filtered_dataset.jsonl", 8, 42).name());
        assertEquals("filtered-dataset-dpoints-only-inverse-lora-8-seed-43",
                run("EXP/qwen/owl/seed-42/filtered_dataset_dpoints_only.jsonl", true, null, null, 8, null, "linear", 43).name());
        assertEquals("filtered-dataset-lora-8-layers-0-seed-44",
                run("filtered_dataset.jsonl", false, null, null, 8, List.of(0), "linear", 44).name());
    }

    @Test
    void everyPartInOrder() {
        assertEquals("filtered-dataset-dpoints-only-inverse-ratio-50-subset-first_half-full-layers-5to27-scheduler-cosine-seed-46",
                run("a/filtered_dataset_dpoints_only.jsonl", true, 0.5, "first_half", null,
                        java.util.stream.IntStream.rangeClosed(5, 27).boxed().toList(), "cosine", 46).name());
        assertEquals("x-lora-8-layers-0-7-14-seed-42", run("x.jsonl", false, null, null, 8, List.of(14, 0, 7), null, 42).name());
        assertEquals("x-ratio-12-lora-8-seed-42", run("x.jsonl", false, 0.125, null, 8, null, null, 42).name(),
                "Python's .0f rounds half to even");
        assertEquals("filtered-dataset-lora-8-seed-42-system-prompt", new RunDirName("filtered_dataset.jsonl", null, null,
                null, false, null, null, 8, null, "linear", 42, true, false).name());
        assertEquals("filtered-dataset-lora-8-seed-42-empty-system-prompt", new RunDirName("filtered_dataset.jsonl", null,
                null, null, false, null, null, 8, null, "linear", 42, false, true).name());
        assertThrows(IllegalArgumentException.class, () -> new RunDirName("x.jsonl", null, null, null, false, null, null,
                8, null, "linear", 42, true, true));
    }

    @Test
    void mixInIdentity() {
        RunDirName same = new RunDirName("EXP/qwen/owl/seed-42/filtered_dataset.jsonl",
                "EXP/qwen/control/seed-42/filtered_dataset.jsonl", 1000, "Qwen/Qwen2.5-7B-Instruct",
                false, null, null, 8, null, "linear", 42, false, false);
        assertEquals("filtered-dataset-mixin-control-seed-42-1000-lora-8-seed-42", same.name());
        RunDirName other = new RunDirName("EXP/qwen/owl/seed-42/filtered_dataset.jsonl",
                "EXP/gemma/owl/seed-42/filtered_dataset.jsonl", 2500, "Qwen/Qwen2.5-7B-Instruct",
                false, null, null, 8, null, "linear", 43, false, false);
        assertEquals("filtered-dataset-mixin-gemma-owl-seed-42-2500-lora-8-seed-43", other.name());
    }
}
