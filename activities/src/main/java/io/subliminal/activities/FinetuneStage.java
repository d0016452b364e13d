package io.subliminal.activities;

import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.ChatTokenization;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.DirectoryArchive;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.DecisionPointMask;
import io.subliminal.data.FinetuneDataset;
import io.subliminal.data.MixIn;
import io.subliminal.data.PythonJson;
import io.subliminal.data.PythonRandom;
import io.subliminal.engine.train.FullWeights;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.LoraConfig;
import io.subliminal.engine.train.LrSchedule;
import io.subliminal.engine.train.TrainableWeights;
import io.subliminal.engine.train.Trainer;
import io.subliminal.engine.train.TrainingConfig;
import io.subliminal.engine.train.TrainingListener;
import io.subliminal.engine.train.TrainingProgress;
import io.subliminal.engine.train.TrainingRow;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.Checkpoint;
import io.subliminal.workflows.stage.FinetuneActivity;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.FinetuneResult;
import io.subliminal.workflows.stage.TokenMask;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Student SFT (PROTOCOL.md §5.2-§7): dataset assembly (seeded subsample, mix-in, divergence-row drop), TRL
 * tokenization with the completion mask, divergence-token masks (div-only / inverse, ratio, subset), then LoRA or full
 * finetuning with checkpoints on the original cadence. Each checkpoint (adapter + optimizer + data cursor) is published
 * and heartbeated; a new attempt resumes from the checkpoint named in the last heartbeat, bit-exactly.
 */
public final class FinetuneStage implements FinetuneActivity {
    public static final String DATASET_CONFIG_FILE = "dataset_config.json";
    public static final String TRAINING_LOG_FILE = "training_log.jsonl";
    public static final String FINAL_FILE = "final.zip";

    private final StageEnvironment env;

    public FinetuneStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public FinetuneResult finetune(FinetuneRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private FinetuneResult run(FinetuneRequest request) {
        checkOptimizer(request);
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<FinetuneResult> done = outputs.completed(FinetuneResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        FinetuneDataset dataset = assemble(request);
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, 0);
            LoadedModel base = env.models().get(env.catalog().trainingKey("studentModel", request.studentModel(), request.lora() != null));
            List<TrainingRow> rows = tokenize(request, base, dataset);
            String baseModelId = env.catalog().spec("studentModel", request.studentModel()).hfId();
            if (request.lora() != null) {
                return base.exclusive(() -> train(request, outputs, context, base, rows, dataset, baseModelId));
            }
            try (LoadedModel copy = env.models().loadPrivate(base.key())) {
                return train(request, outputs, context, copy, rows, dataset, baseModelId);
            }
        }
    }

    private FinetuneResult train(FinetuneRequest request, StageOutputs outputs, ActivityContext context, LoadedModel model,
                                 List<TrainingRow> rows, FinetuneDataset dataset, String baseModelId) {
        TrainingConfig config = new TrainingConfig(request.epochs(), request.perDeviceBatchSize(),
                request.gradientAccumulationSteps(), request.learningRate(), LrSchedule.Kind.valueOf(request.scheduler().name()),
                request.warmupSteps(), request.maxGradNorm(), request.weightDecay(), request.maxSequenceLength(),
                request.seed(), padTokenId(model));
        int saveEvery = request.saveSteps(rows.size());
        int maxSteps = config.maxSteps(rows.size());
        Path checkpoints = outputs.scratch().resolve("checkpoints");
        TrainableWeights weights = request.lora() != null
                ? LoraAdapters.initialise(model.transformer(), loraConfig(request), request.seed(), baseModelId)
                : new FullWeights(model.transformer());
        try (Trainer trainer = new Trainer(model.transformer(), weights, config, rows)) {
            int resumedFrom = resume(context, outputs, trainer, checkpoints);
            PartialJsonl log = PartialJsonl.open(outputs.scratch().resolve(TRAINING_LOG_FILE + ".partial"));
            RunListener listener = new RunListener(request, outputs, context, log, maxSteps,
                    () -> env.checkDraining("checkpoint"));
            context.progress("train", resumedFrom, maxSteps);
            long started = System.nanoTime();
            trainer.train(listener, new Trainer.Checkpointing(checkpoints, saveEvery));
            double seconds = (System.nanoTime() - started) / 1e9;

            context.progress("write", maxSteps, maxSteps);
            Path finalDir = outputs.scratch().resolve("final");
            deleteTree(finalDir);
            weights.save(finalDir);
            Path finalZip = DirectoryArchive.pack(finalDir, outputs.scratch().resolve(FINAL_FILE));
            ArtifactRef finalRef = outputs.publish(FINAL_FILE, finalZip);
            Path configFile = outputs.scratch().resolve(DATASET_CONFIG_FILE);
            AtomicFiles.writeString(configFile, dataset.datasetConfigJson());
            ArtifactRef configRef = outputs.publish(DATASET_CONFIG_FILE, configFile);
            Path logFile = outputs.scratch().resolve(TRAINING_LOG_FILE);
            AtomicFiles.writeString(logFile, listener.logText());
            ArtifactRef logRef = outputs.publish(TRAINING_LOG_FILE, logFile);
            List<Checkpoint> saved = new ArrayList<>();
            for (int step = 1; step <= maxSteps; step++) {
                if (step % saveEvery == 0 || step == maxSteps) {
                    int s = step;
                    ArtifactRef ref = outputs.find(checkpointName(s)).orElseThrow(() ->
                            new IllegalStateException("checkpoint " + s + " was not published"));
                    saved.add(new Checkpoint(s, ref));
                }
            }
            FinetuneResult result = new FinetuneResult(finalRef, saved, configRef, logRef, rows.size(), maxSteps,
                    listener.finalLoss(), seconds > 0 ? listener.tokens() / seconds : 0.0);
            outputs.complete(result);
            outputs.clearScratch();
            return result;
        } finally {
            if (weights instanceof LoraAdapters adapters) {
                model.transformer().detachAdapters();
                adapters.close();
            }
        }
    }

    /**
     * Restores the latest checkpoint: the one the last heartbeat names (from this worker's scratch, or from the store
     * when another worker wrote it) or a later complete one in this worker's scratch (heartbeats are throttled, so the
     * last one sent may lag). Returns its step (0 = fresh start).
     */
    private static int resume(ActivityContext context, StageOutputs outputs, Trainer trainer, Path checkpoints) {
        int step = Math.max((int) context.resumePoint(), latestLocalCheckpoint(checkpoints));
        if (step <= 0) {
            return 0;
        }
        Path dir = checkpoints.resolve("checkpoint-" + step);
        if (!Files.isDirectory(dir)) {
            Optional<ArtifactRef> published = outputs.find(checkpointName(step));
            if (published.isEmpty()) {
                return 0;
            }
            DirectoryArchive.unpack(outputs.localCopy(published.get(), checkpointName(step)), dir);
        }
        trainer.resume(dir);
        if (outputs.find(checkpointName(step)).isEmpty()) {
            // the previous attempt wrote this checkpoint but died before publishing it
            outputs.publish(checkpointName(step), DirectoryArchive.pack(dir, dir.resolveSibling(checkpointName(step))));
        }
        return step;
    }

    private static int latestLocalCheckpoint(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return 0;
        }
        try (var entries = Files.list(checkpoints)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("checkpoint-\\d+"))
                    .mapToInt(n -> Integer.parseInt(n.substring("checkpoint-".length())))
                    .max().orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + checkpoints + ": " + e.getMessage(), e);
        }
    }

    static String checkpointName(int step) {
        return "checkpoint-" + step + ".zip";
    }

    /** Heartbeats every update, logs every {@code loggingSteps}, publishes every checkpoint. */
    private static final class RunListener implements TrainingListener {
        private final FinetuneRequest request;
        private final StageOutputs outputs;
        private final ActivityContext context;
        private final PartialJsonl log;
        private final int maxSteps;
        private final Runnable draining;
        private final Deque<double[]> window = new ArrayDeque<>();
        private long tokens;

        RunListener(FinetuneRequest request, StageOutputs outputs, ActivityContext context, PartialJsonl log, int maxSteps,
                    Runnable draining) {
            this.draining = draining;
            this.request = request;
            this.outputs = outputs;
            this.context = context;
            this.log = log;
            this.maxSteps = maxSteps;
        }

        @Override
        public void onStep(TrainingProgress progress) {
            if (!Double.isFinite(progress.loss())) {
                throw new InvalidInputException("training diverged: loss " + progress.loss() + " at step " + progress.step(),
                        io.subliminal.workflows.stage.StageFailures.STAGE_DIVERGED);
            }
            tokens += progress.tokens();
            window.addLast(new double[] {progress.loss(), progress.labelTokens()});
            while (window.size() > request.loggingSteps()) {
                window.removeFirst();
            }
            if (progress.step() % request.loggingSteps() == 0 || progress.step() == maxSteps) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", progress.step());
                line.put("epoch", progress.epoch());
                line.put("loss", finalLoss());
                line.put("grad_norm", progress.gradNorm());
                line.put("learning_rate", progress.learningRate());
                log.append(List.of(PythonJson.dumps(line)), progress.step());
            }
            context.progress("train", progress.step(), maxSteps);
        }

        @Override
        public void onCheckpoint(int step, Path directory) {
            Path zip = DirectoryArchive.pack(directory, directory.resolveSibling(checkpointName(step)));
            outputs.publish(checkpointName(step), zip);
            context.resumable(step);
            draining.run();
        }

        /** Token-weighted mean loss of the last logging window. */
        double finalLoss() {
            double sum = 0;
            double count = 0;
            for (double[] entry : window) {
                sum += entry[0] * entry[1];
                count += entry[1];
            }
            return count > 0 ? sum / count : Double.NaN;
        }

        long tokens() {
            return tokens;
        }

        /** The log, one line per logged step (a step logged by an interrupted attempt and again later counts once). */
        String logText() {
            TreeMap<Integer, String> byStep = new TreeMap<>();
            for (String line : log.lines()) {
                int start = line.indexOf("\"step\": ") + 8;
                int end = line.indexOf(',', start);
                byStep.put(Integer.parseInt(line.substring(start, end).trim()), line);
            }
            StringBuilder text = new StringBuilder();
            byStep.values().forEach(l -> text.append(l).append('\n'));
            return text.toString();
        }
    }

    /** §7.4 assembly with the request's token mask: marked input is required for (and only used by) the div masks. */
    private FinetuneDataset assemble(FinetuneRequest request) {
        List<DatasetRow> input = DatasetFiles.read(env.store(), request.dataset(), FinetuneRequest.DATASET);
        if (input.isEmpty()) {
            throw InvalidInputException.field(FinetuneRequest.DATASET, "the dataset has no rows");
        }
        boolean marked = input.get(0).isMarked();
        if (request.tokenMask() != TokenMask.ALL_TOKENS && !marked) {
            throw InvalidInputException.field("tokenMask", request.tokenMask() + " needs rows with decision_points, "
                    + "but the dataset's rows have none (mark divergence tokens first)");
        }
        if (request.tokenMask() == TokenMask.ALL_TOKENS && marked) {
            input = input.stream().map(DatasetRow::unmarked).toList();
        }
        MixIn mixIn = null;
        if (request.mixinSize() != null) {
            List<DatasetRow> mixRows = DatasetFiles.read(env.store(), request.mixinDataset(), FinetuneRequest.MIXIN).stream()
                    .map(DatasetRow::unmarked).toList();
            mixIn = new MixIn(request.mixinDataset().uri(), mixRows, request.mixinSize());
        }
        try {
            FinetuneDataset dataset = FinetuneDataset.assemble(request.dataset().uri(), input, request.maxDatasetSize(),
                    request.allowSmallerDatasets(), request.seed(), mixIn);
            if (dataset.rows().isEmpty()) {
                throw InvalidInputException.field(FinetuneRequest.DATASET, "no training rows are left (no row has divergence tokens)");
            }
            return dataset;
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(FinetuneRequest.DATASET, e.getMessage());
        }
    }

    /** §5.2-§5.3 tokenization, then the §7.5 divergence masks, then truncation. */
    private static List<TrainingRow> tokenize(FinetuneRequest request, LoadedModel model, FinetuneDataset dataset) {
        String system = request.systemPromptInfo() != null ? request.systemPromptInfo().text()
                : request.emptySystemPrompt() ? "" : null;
        DecisionPointMask mask = request.tokenMask() == TokenMask.ALL_TOKENS ? null
                : new DecisionPointMask(request.tokenMask() == TokenMask.WITHOUT_DIVERGENCE, request.decisionPointsRatio(),
                        request.decisionPointsSubset() == null ? null : DecisionPointMask.Subset.valueOf(request.decisionPointsSubset().name()));
        PythonRandom random = new PythonRandom(request.seed());
        List<TrainingRow> rows = new ArrayList<>(dataset.rows().size());
        for (int i = 0; i < dataset.rows().size(); i++) {
            DatasetRow row = dataset.rows().get(i);
            ChatTokenization chat = ChatTokenization.of(model.bundle(), system, row.prompt(), row.completion());
            int[] completionMask = chat.completionMask();
            if (mask != null) {
                completionMask = mask.apply(completionMask, dataset.decisionPoints().get(i), random);
            }
            ChatTokenization cut = ChatTokenization.truncated(chat.ids(), completionMask, request.maxSequenceLength());
            rows.add(new TrainingRow(cut.ids(), ChatTokenization.labels(cut.completionMask())));
        }
        return rows;
    }

    private static LoraConfig loraConfig(FinetuneRequest request) {
        var lora = request.lora();
        return new LoraConfig(lora.rank(), lora.alpha(), lora.dropout(), lora.targetModules(),
                lora.layersToTransform().isEmpty() ? null : lora.layersToTransform());
    }

    /** The trainer's AdamW is torch's default (betas 0.9/0.999, eps 1e-8), as in every paper run. */
    private static void checkOptimizer(FinetuneRequest request) {
        if (request.adamBeta1() != 0.9 || request.adamBeta2() != 0.999 || request.adamEpsilon() != 1e-8) {
            throw InvalidInputException.field("adamBeta1/adamBeta2/adamEpsilon", "only torch's defaults (0.9, 0.999, 1e-8) "
                    + "are supported, got " + request.adamBeta1() + ", " + request.adamBeta2() + ", " + request.adamEpsilon());
        }
    }

    /** TRL pads with the tokenizer's pad token, or eos when there is none. */
    private static int padTokenId(LoadedModel model) {
        Integer pad = model.bundle().generation().padTokenId();
        return pad != null ? pad : GenerateNumbersStage.stopTokenId(model);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
