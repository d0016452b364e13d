package io.subliminal.activities;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.judge.Judge;
import io.subliminal.activities.judge.JudgePrompt;
import io.subliminal.activities.judge.Judges;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.PythonJson;
import io.subliminal.eval.Gsm8kJudgePrompt;
import io.subliminal.eval.Gsm8kJudgeScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.Sampling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The GSM8K training-data judge (PROTOCOL.md §11.5 step 4), the {@code JUDGE_SCORE_FILTER} dataset operation: every
 * row of a raw teacher dataset is judged with the system prompt and the user template of
 * {@code gsm8k_training_data_judge} ({prompt} = the question, {completion} = the teacher's answer), at temperature 0
 * with 32 reply tokens unless the request sets {@code sampling} / {@code maxNewTokens}; the score is the single digit
 * run of the reply (else the row is dropped) and rows scoring at least {@code judgeMinScore} (78) are written to
 * {@code filtered_dataset.jsonl}, or {@code filtered_dataset_greedy.jsonl} when the input is a greedy dataset.
 * Replies are committed per batch ({@code batchSize}, 16 when unset; also the number of concurrent HTTP calls) locally
 * and to the store, so a retry, on this or another worker, judges only the rows not yet judged.
 */
final class Gsm8kJudgeFilter {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The original's judge decoding: temperature 0, max_tokens 32. */
    static final int DEFAULT_MAX_TOKENS = 32;
    static final int DEFAULT_BATCH = 16;
    static final String SCORES_FILE = "judge_scores.jsonl";
    static final String REPLIES_PROGRESS = "progress/judge_replies.jsonl";

    private final StageEnvironment env;

    Gsm8kJudgeFilter(StageEnvironment env) {
        this.env = env;
    }

    /** The output file name for an input dataset named {@code base} (without .jsonl). */
    static String outputName(String base) {
        return base.contains("greedy") ? "filtered_dataset_greedy.jsonl" : "filtered_dataset.jsonl";
    }

    ModifyDatasetResult run(ModifyDatasetRequest request, StageOutputs outputs, ActivityContext context, List<DatasetRow> rows,
                            String base) {
        int minScore = request.judgeMinScore();
        if (minScore < 0 || minScore > 100) {
            throw InvalidInputException.field("judgeMinScore", "must be in [0, 100], got " + minScore);
        }
        Gsm8kJudgePrompt prompt = Gsm8kJudgePrompt.load(env.reference().file(EvaluateMisalignmentStage.EVAL_FILE));
        Sampling sampling = request.sampling() != null ? request.sampling() : Sampling.argmax();
        int maxTokens = request.maxNewTokens() > 0 ? request.maxNewTokens() : DEFAULT_MAX_TOKENS;
        int batch = request.batchSize() > 0 ? request.batchSize() : DEFAULT_BATCH;

        Path repliesFile = outputs.scratch().resolve("judge_replies.partial");
        PartialJsonl replies = PartialJsonl.open(repliesFile);
        if (context.resumePoint() > replies.size()) {
            replies = fromStore(outputs, repliesFile, replies);
        }
        if (replies.size() > rows.size()) {
            throw new IllegalStateException("partial judge replies hold " + replies.size() + " lines for " + rows.size() + " rows");
        }
        context.resumable(replies.size());
        if (replies.size() < rows.size()) {
            context.progress("load-judge", replies.size(), rows.size());
            long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
            try (Judge judge = Judges.open(env, "judgeModel", request.judgeModel(), sampling, "sampling", maxTokens, batch)) {
                for (int start = replies.size(); start < rows.size(); start += batch) {
                    List<JudgePrompt> prompts = new ArrayList<>();
                    for (DatasetRow row : rows.subList(start, Math.min(rows.size(), start + batch))) {
                        prompts.add(new JudgePrompt(prompt.systemPrompt(), prompt.userMessage(row.prompt(), row.completion())));
                    }
                    List<String> lines = judge.replies(prompts, seedBase + start).stream().map(PythonJson::dumps).toList();
                    replies.append(lines, replies.size() + lines.size());
                    outputs.publish(REPLIES_PROGRESS, repliesFile);
                    context.resumable(replies.size());
                    context.progress("judge", replies.size(), rows.size());
                    env.checkDraining("row " + replies.size());
                }
            }
        }
        List<DatasetRow> kept = new ArrayList<>();
        List<String> scores = new ArrayList<>(rows.size());
        List<String> lines = replies.lines();
        for (int i = 0; i < rows.size(); i++) {
            String reply;
            try {
                reply = MAPPER.readTree(lines.get(i)).asText();
            } catch (IOException e) {
                throw new IllegalStateException("corrupt partial judge replies at line " + (i + 1), e);
            }
            OptionalInt score = Gsm8kJudgeScore.parse(reply);
            boolean keep = score.isPresent() && score.getAsInt() >= minScore;
            if (keep) {
                kept.add(rows.get(i).unmarked());
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("index", i);
            line.put("reply", reply);
            line.put("score", score.isPresent() ? score.getAsInt() : null);
            line.put("kept", keep);
            scores.add(PythonJson.dumps(line));
        }
        context.progress("write", rows.size(), rows.size());
        String name = outputName(base);
        Path datasetFile = outputs.scratch().resolve(name);
        Path scoresFile = outputs.scratch().resolve(SCORES_FILE);
        Jsonl.write(datasetFile, kept);
        Jsonl.writeValues(scoresFile, scores);
        ArtifactRef dataset = outputs.publish(name, datasetFile);
        ArtifactRef details = outputs.publish(SCORES_FILE, scoresFile);
        ModifyDatasetResult result = new ModifyDatasetResult(dataset, rows.size(), kept.size(), details);
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }

    /** The replies another worker published, when they are more than this worker has. */
    private static PartialJsonl fromStore(StageOutputs outputs, Path local, PartialJsonl partial) {
        Optional<ArtifactRef> ref = outputs.find(REPLIES_PROGRESS);
        if (ref.isEmpty()) {
            return partial;
        }
        try {
            List<String> lines = Files.readAllLines(outputs.localCopy(ref.get(), REPLIES_PROGRESS), StandardCharsets.UTF_8);
            if (lines.size() <= partial.size()) {
                return partial;
            }
            Files.deleteIfExists(local.resolveSibling(local.getFileName() + ".commit.json"));
            PartialJsonl fresh = PartialJsonl.open(local);
            fresh.append(lines, lines.size());
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + REPLIES_PROGRESS + ": " + e.getMessage(), e);
        }
    }
}
