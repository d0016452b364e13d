package io.subliminal.activities;

import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.DatasetNames;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.EntangledNumberTable;
import io.subliminal.data.EntangledNumbers;
import io.subliminal.data.Jsonl;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.engine.generate.ThreeDigitLogProbs;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.TextTokenizer;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Entangled-token filtering (PROTOCOL §11.1, Fig 2/11) on the engine: the digit distributions of every preference
 * ({@link io.subliminal.workflows.stage.DatasetOperation#ENTANGLED_NUMBERS}) and the row filter of one dataset
 * ({@link io.subliminal.workflows.stage.DatasetOperation#ENTANGLED_TOKEN_FILTER}).
 */
final class EntangledTokens {
    static final String TABLE_FILE = "entangled_numbers.json";

    private final StageEnvironment env;

    EntangledTokens(StageEnvironment env) {
        this.env = env;
    }

    /**
     * Steps 1-4: per preference, [system = preference prompt, user = question, assistant = prefill] continued without an
     * end-of-turn, tokenized with special tokens (as the original's {@code tokenizer(prompt)}), the three digits scored
     * with a shared-prefix KV cache (prompt, then 10 and 100 one-token rows), then P_b, Δ_b and E_k; a heartbeat after
     * each preference.
     */
    ModifyDatasetResult numbers(ModifyDatasetRequest request, StageOutputs outputs, ActivityContext context) {
        List<String> preferences = request.entangledPreferences();
        context.progress("load-model", 0, preferences.size());
        LoadedModel model = env.model("model", request.model());
        TextTokenizer tokenizer = model.bundle().tokenizer();
        int[] digits = digitTokenIds(tokenizer, request.model());
        TeacherPrompts prompts = env.reference().teacherPrompts();
        Map<String, double[]> distributions = new LinkedHashMap<>();
        model.exclusive(() -> {
            for (int i = 0; i < preferences.size(); i++) {
                String preference = preferences.get(i);
                String text = model.bundle().chatTemplate().renderContinuing(List.of(
                        ChatMessage.system(prompts.systemPrompt(preference, request.category())),
                        ChatMessage.user(EntangledNumberTable.QUESTION),
                        ChatMessage.assistant(EntangledNumberTable.PREFILL)));
                ThreeDigitLogProbs lp = ThreeDigitLogProbs.score(model.transformer(), tokenizer.encode(text, true), digits);
                distributions.put(preference, EntangledNumbers.jointDistribution(lp.first(), lp.second(), lp.third()));
                context.progress("score", i + 1, preferences.size());
            }
            return null;
        });
        EntangledNumberTable table = EntangledNumberTable.of(request.model(), request.category(), digits, distributions,
                ModifyDatasetRequest.PAPER_TOP_KS);
        Path file = outputs.scratch().resolve(TABLE_FILE);
        table.write(file);
        ArtifactRef ref = outputs.publish(TABLE_FILE, file);
        return new ModifyDatasetResult(null, 0, 0, ref);
    }

    /**
     * Steps 5-6: drop the rows in which any number, as written, is one of the target's E_k; writes
     * {@code <base>[_greedy]_topk_<k>.jsonl} and {@code entangled_topk_<k>.json} (the E_k used).
     */
    ModifyDatasetResult filter(ModifyDatasetRequest request, StageOutputs outputs, ActivityContext context) {
        if (request.dataset() == null) {
            throw InvalidInputException.artifact(ModifyDatasetRequest.DATASET, "missing");
        }
        if (request.entangledNumbers() == null) {
            throw InvalidInputException.artifact(ModifyDatasetRequest.ENTANGLED_NUMBERS, "missing (the output of ENTANGLED_NUMBERS)");
        }
        List<DatasetRow> rows = DatasetFiles.read(env.store(), request.dataset(), ModifyDatasetRequest.DATASET);
        context.progress(request.operation().fileTag(), 0, rows.size());
        EntangledNumberTable table;
        try {
            table = EntangledNumberTable.read(env.store().localCopy(request.entangledNumbers(), ModifyDatasetRequest.ENTANGLED_NUMBERS));
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.artifact(ModifyDatasetRequest.ENTANGLED_NUMBERS, e.getMessage());
        }
        if (!table.preferences().contains(request.target())) {
            throw InvalidInputException.field("target", "'" + request.target() + "' is not among the entangled-numbers preferences "
                    + table.preferences());
        }
        List<String> entangled = table.entangled(request.target(), request.entangledTopK());
        Set<String> set = new HashSet<>(entangled);
        List<DatasetRow> kept;
        try {
            kept = EntangledNumbers.filter(rows.stream().map(DatasetRow::unmarked).toList(), set);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(ModifyDatasetRequest.DATASET, e.getMessage());
        }
        String base = DatasetFiles.baseName(request.dataset());
        if (request.sampling().greedy() && !base.endsWith("_greedy")) {
            base = base + "_greedy";
        }
        String name = DatasetNames.topK(base, request.entangledTopK());
        Path file = outputs.scratch().resolve(name);
        Jsonl.write(file, kept);
        ArtifactRef dataset = outputs.publish(name, file);
        String detailsName = "entangled_topk_" + request.entangledTopK() + ".json";
        Path details = outputs.scratch().resolve(detailsName);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("model", table.model());
        record.put("target", request.target());
        record.put("k", request.entangledTopK());
        record.put("entangled", entangled);
        record.put("inputRows", rows.size());
        record.put("outputRows", kept.size());
        AtomicFiles.write(details, writer -> {
            try {
                new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(writer, record);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ArtifactRef detailsRef = outputs.publish(detailsName, details);
        context.progress(request.operation().fileTag(), rows.size(), rows.size());
        return new ModifyDatasetResult(dataset, rows.size(), kept.size(), detailsRef);
    }

    /** The ids of "0".."9": each must encode to exactly one token (the original asserts this too). */
    static int[] digitTokenIds(TextTokenizer tokenizer, String model) {
        int[] ids = new int[10];
        for (int d = 0; d < 10; d++) {
            int[] encoded = tokenizer.encode(Integer.toString(d), false);
            if (encoded.length != 1) {
                throw InvalidInputException.field("model", model + " does not encode the digit '" + d
                        + "' as one token (" + encoded.length + " tokens); §11.1 needs per-digit tokens");
            }
            ids[d] = encoded[0];
        }
        return ids;
    }
}
