package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Gsm8kQuestions;
import io.subliminal.data.Jsonl;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GSM8K teacher answers (PROTOCOL §11.5 steps 1-3, Fig 34): the train questions in 10 interleaved shards (shard i =
 * rows i, i + 10, ...), each question sent bare as the only (user) message, decoded with special tokens skipped and
 * not stripped, the shards merged in shard order into {@code raw_dataset_{greedy|temperature}_merged.jsonl}
 * ({@code {"prompt": question, "completion": answer}} rows).
 *
 * <p>A finished shard is published as {@code raw_dataset_<strategy>_shard_<i>.jsonl} plus a small
 * {@code ..._shard_<i>.json} (rows, new tokens); an attempt skips the shards already published (on any worker) and
 * continues the current one after its last committed batch on this worker.
 */
final class Gsm8kAnswers {
    /** The original processes the split as 10 shards. */
    static final int SHARDS = 10;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StageEnvironment env;
    private final GenerateNumbersStage sampler;

    Gsm8kAnswers(StageEnvironment env, GenerateNumbersStage sampler) {
        this.env = env;
        this.sampler = sampler;
    }

    /** {@code raw_dataset_greedy_merged.jsonl} or {@code raw_dataset_temperature_merged.jsonl}. */
    static String mergedName(GenerateNumbersRequest request) {
        return "raw_dataset_" + strategy(request) + "_merged.jsonl";
    }

    static String shardName(GenerateNumbersRequest request, int shard) {
        return "raw_dataset_" + strategy(request) + "_shard_" + shard + ".jsonl";
    }

    private static String strategy(GenerateNumbersRequest request) {
        return request.sampling().greedy() ? "greedy" : "temperature";
    }

    GenerateNumbersResult generate(GenerateNumbersRequest request) {
        List<String> questions = questions(request);
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<GenerateNumbersResult> done = outputs.completed(GenerateNumbersResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        try (ActivityContext context = ActivityContext.current()) {
            long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
            List<List<DatasetRow>> shards = new ArrayList<>();
            long tokens = 0;
            long attemptTokens = 0;
            long rowsBefore = 0;
            long started = System.nanoTime();
            LoadedModel model = null;
            for (int shard = 0; shard < SHARDS; shard++) {
                List<Integer> indices = Gsm8kQuestions.shard(questions.size(), shard, SHARDS);
                Optional<ShardOutput> published = published(outputs, request, shard, indices.size());
                if (published.isEmpty()) {
                    if (model == null) {
                        context.progress("load-model", rowsBefore, questions.size());
                        model = env.model("teacherModel", request.teacherModel());
                    }
                    List<String> prompts = indices.stream().map(questions::get).toList();
                    PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("shard-" + shard + ".jsonl.partial"));
                    LoadedModel teacher = model;
                    long offset = rowsBefore;
                    // batches of shard s are seeded apart from every other shard's, whatever attempt samples them
                    long shardSeed = seedBase + (long) shard * questions.size();
                    String step = "shard-" + shard + "-of-" + SHARDS;
                    attemptTokens += teacher.exclusive(() ->
                            sampler.sampleInto(request, prompts, teacher, partial, shardSeed, context, step, offset));
                    published = Optional.of(publish(outputs, request, shard, partial));
                }
                shards.add(published.get().rows());
                tokens += published.get().generatedTokens();
                rowsBefore += indices.size();
                context.resumable(rowsBefore);
                context.progress("shards", shard + 1, SHARDS);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            List<DatasetRow> merged = new ArrayList<>(questions.size());
            shards.forEach(merged::addAll);
            String name = mergedName(request);
            Path file = outputs.scratch().resolve(name);
            Jsonl.write(file, merged);
            ArtifactRef ref = outputs.publish(name, file);
            // no number filter for GSM8K answers: the judge filter (§11.5 step 4) reads the merged rows
            GenerateNumbersResult result = new GenerateNumbersResult(ref, ref, merged.size(), merged.size(), tokens,
                    seconds > 0 ? attemptTokens / seconds : 0.0);
            outputs.complete(result);
            outputs.clearScratch();
            return result;
        }
    }

    /** The questions of {@code gsm8kPath}; their number must equal {@code promptCount} (every row is answered). */
    private static List<String> questions(GenerateNumbersRequest request) {
        Path file = Path.of(request.gsm8kPath());
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.field("gsm8kPath", "no file " + file.toAbsolutePath()
                    + " (openai/gsm8k \"main\" train as JSONL {question, answer})");
        }
        List<String> questions;
        try {
            questions = Gsm8kQuestions.read(file);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field("gsm8kPath", file + ": " + e.getMessage());
        }
        if (questions.size() != request.promptCount()) {
            throw InvalidInputException.field("promptCount", "is " + request.promptCount() + " but " + file + " holds "
                    + questions.size() + " questions (the teacher answers every row)");
        }
        return questions;
    }

    private record ShardOutput(List<DatasetRow> rows, long generatedTokens) {
    }

    /** A shard an earlier attempt published, verified against its expected row count. */
    private Optional<ShardOutput> published(StageOutputs outputs, GenerateNumbersRequest request, int shard, int expectedRows) {
        Optional<ArtifactRef> rows = outputs.find(shardName(request, shard));
        Optional<ArtifactRef> info = outputs.find(shardInfoName(request, shard));
        if (rows.isEmpty() || info.isEmpty()) {
            return Optional.empty();
        }
        List<DatasetRow> read = Jsonl.read(outputs.localCopy(rows.get(), shardName(request, shard)));
        if (read.size() != expectedRows) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(outputs.localCopy(info.get(), shardInfoName(request, shard)).toFile());
            return Optional.of(new ShardOutput(read, node.get("generatedTokens").asLong()));
        } catch (IOException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private ShardOutput publish(StageOutputs outputs, GenerateNumbersRequest request, int shard, PartialJsonl partial) {
        List<DatasetRow> rows = new ArrayList<>(partial.size());
        for (int i = 0; i < partial.size(); i++) {
            rows.add(Jsonl.parseLine(partial.lines().get(i), "shard " + shard + " line " + (i + 1)));
        }
        Path file = outputs.scratch().resolve(shardName(request, shard));
        Jsonl.write(file, rows);
        outputs.publish(shardName(request, shard), file);
        Path info = outputs.scratch().resolve(shardInfoName(request, shard));
        try {
            AtomicFiles.writeString(info, MAPPER.writeValueAsString(java.util.Map.of("shard", shard, "shards", SHARDS,
                    "rows", rows.size(), "generatedTokens", partial.counter())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        outputs.publish(shardInfoName(request, shard), info);
        return new ShardOutput(rows, partial.counter());
    }

    private static String shardInfoName(GenerateNumbersRequest request, int shard) {
        return "raw_dataset_" + strategy(request) + "_shard_" + shard + ".json";
    }
}
