package io.subliminal.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Supervised finetuning of a {@link Transformer} (LoRA or full) with the semantics of the original HF/TRL run
 * (PROTOCOL 7):
 * <ul>
 *   <li>each epoch visits the rows in a seeded shuffle, cut into micro-batches of {@code microBatchSize} and windows
 *       of {@code gradientAccumulation} micro-batches; an epoch's final partial window is an update too (7.3);</li>
 *   <li>an update minimises (sum of token losses over the window) / (label tokens in the window) (7.1);</li>
 *   <li>then global-norm clipping, AdamW with the HF schedule's learning rate for that update.</li>
 * </ul>
 * Data-order difference: HF's sampler draws {@code torch.randperm} from a generator seeded with the seed (plus the
 * epoch); this port uses its own Fisher-Yates shuffle from (seed, epoch), so the orders differ from a Python run
 * (same distribution, reproducible, and independent of torch). Randomness is a pure function of (seed, epoch, step,
 * micro-batch), which makes {@link #resume} bit-exact.
 *
 * <p>Precision: a {@link Precision#FP32} model trains in float32. A {@link Precision#FP16_MIXED} model trains with
 * float16 matmuls and float32 residual stream, norms, softmax, loss, trainable parameters and optimizer state, with
 * dynamic loss scaling ({@link LossScaler}): an update whose gradients overflow float16 is skipped (optimizer and
 * learning-rate schedule stand still) and the scale halved. Gradient clipping and the removal of the loss scale are
 * one multiply inside the optimizer.
 *
 * <p>DJL constraints: training runs on the calling thread (one GradientCollector per JVM), every micro-batch runs in
 * its own {@link NDScope}, and scalars under autograd are native 0-d arrays. Not thread-safe.
 */
public final class Trainer implements AutoCloseable {

    /** Where and how often to write checkpoints: {@code root/checkpoint-<step>} every {@code saveEvery} updates
     * (0 = never) and always after the last update. */
    public record Checkpointing(Path root, int saveEvery) {
        public Checkpointing {
            if (root == null) {
                throw new IllegalArgumentException("checkpoint root is null");
            }
            if (saveEvery < 0) {
                throw new IllegalArgumentException("saveEvery must be >= 0: " + saveEvery);
            }
        }

        /** The directory of the checkpoint after {@code step} updates. */
        public Path directory(int step) {
            return root.resolve("checkpoint-" + step);
        }
    }

    private final Transformer model;
    private final TrainableWeights weights;
    private final TrainingConfig config;
    private final List<TrainingRow> rows;
    private final LrSchedule schedule;
    private final int maxSteps;
    private final AdamW optimizer;
    /** Dynamic loss scaling of a float16 model; null in float32. */
    private final LossScaler lossScaler;

    private int step;
    private int epoch;
    private int indexInEpoch;
    private int orderEpoch = -1;
    private int[] order;
    private double lastLoss = Double.NaN;
    /** True while gradients from an unfinished update may be accumulated in the parameters. */
    private boolean gradientsDirty;

    /** A trainer of {@code weights} (already attached to / part of {@code model}) on {@code rows}. */
    public Trainer(Transformer model, TrainableWeights weights, TrainingConfig config, List<TrainingRow> rows) {
        if (rows == null || rows.isEmpty()) {
            throw new IllegalArgumentException("training needs at least one row");
        }
        if (weights.parameters().isEmpty()) {
            throw new IllegalArgumentException("nothing to train: the weights have no parameters");
        }
        int vocab = model.config().vocabSize();
        for (int i = 0; i < rows.size(); i++) {
            for (int id : rows.get(i).inputIds()) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("training row " + i + " has token id " + id
                            + " outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        if (config.padTokenId() >= vocab) {
            throw new IllegalArgumentException("training field 'padTokenId' " + config.padTokenId()
                    + " is outside the vocabulary [0, " + vocab + ")");
        }
        this.model = model;
        this.weights = weights;
        this.config = config;
        this.rows = List.copyOf(rows);
        this.schedule = config.schedule(rows.size());
        this.maxSteps = config.maxSteps(rows.size());
        this.optimizer = new AdamW(0.9, 0.999, 1e-8, config.weightDecay(), model.manager());
        this.lossScaler = model.precision() == Precision.FP16_MIXED ? new LossScaler() : null;
    }

    /** Continues from a checkpoint written by this kind of run: weights, optimizer, schedule and data cursor. */
    public void resume(Path checkpoint) {
        TrainingCheckpoint state = TrainingCheckpoint.read(checkpoint);
        if (!state.config().equals(config)) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was written with " + state.config()
                    + ", this trainer has " + config);
        }
        if (state.rows() != rows.size()) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on " + state.rows()
                    + " rows, this trainer has " + rows.size());
        }
        if (state.maxSteps() != maxSteps || state.step() < 0 || state.step() > maxSteps) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " is at step " + state.step() + " of "
                    + state.maxSteps() + ", this run has " + maxSteps + " steps");
        }
        weights.restore(checkpoint);
        state.restoreOptimizer(checkpoint, optimizer, weights.parameters());
        step = state.step();
        epoch = state.epoch();
        indexInEpoch = state.indexInEpoch();
        lastLoss = state.lastLoss();
        if (lossScaler != null && state.lossScaler() != null) {
            lossScaler.restore(state.lossScaler());
        }
    }

    /** Trains to the last step. */
    public void train(TrainingListener listener, Checkpointing checkpointing) {
        trainUntil(maxSteps, listener, checkpointing);
    }

    /** Trains until {@code untilStep} updates are done (at most max_steps); checkpoints as configured. */
    public void trainUntil(int untilStep, TrainingListener listener, Checkpointing checkpointing) {
        int target = Math.min(untilStep, maxSteps);
        weights.setTraining(true);
        Map<String, NDArray> params = weights.parameters();
        // grad mode off outside the per-micro-batch collectors: in-place optimizer updates need it (any thread)
        try (NoGrad noGrad = NoGrad.enter()) {
            while (step < target) {
                TrainingProgress progress = update(params, listener);
                listener.onStep(progress);
                if (checkpointing != null && (step == maxSteps
                        || (checkpointing.saveEvery() > 0 && step % checkpointing.saveEvery() == 0))) {
                    Path dir = checkpointing.directory(step);
                    save(dir);
                    listener.onCheckpoint(step, dir);
                }
            }
        } finally {
            weights.setTraining(false);
        }
    }

    /** Writes a checkpoint of the current state to {@code dir} (replaced atomically). */
    public void save(Path dir) {
        TrainingCheckpoint state = new TrainingCheckpoint(step, maxSteps, epoch, indexInEpoch, config.seed(),
                rows.size(), config, lastLoss, TrainingCheckpoint.RNG_SCHEME,
                lossScaler == null ? null : lossScaler.state());
        AtomicDirectory.write(dir, tmp -> {
            weights.save(tmp);
            state.writeInto(tmp, optimizer, weights.parameters());
        });
    }

    private TrainingProgress update(Map<String, NDArray> params, TrainingListener listener) {
        long start = System.nanoTime();
        int[] epochOrder = order();
        int windowRows = Math.min(config.microBatchSize() * config.gradientAccumulation(), rows.size() - indexInEpoch);
        List<LabelledBatch> micro = new ArrayList<>();
        long labels = 0;
        long tokens = 0;
        for (int off = 0; off < windowRows; off += config.microBatchSize()) {
            List<TrainingRow> batch = new ArrayList<>();
            for (int i = off; i < Math.min(off + config.microBatchSize(), windowRows); i++) {
                batch.add(rows.get(epochOrder[indexInEpoch + i]));
            }
            LabelledBatch lb = LabelledBatch.of(batch, config.maxLength(), config.padTokenId());
            micro.add(lb);
            labels += lb.labelCount();
            tokens += lb.realTokens();
        }
        if (labels == 0) {
            throw new TrainingDiverged("update " + (step + 1) + " (epoch " + epoch + ", rows " + indexInEpoch
                    + ".." + (indexInEpoch + windowRows - 1) + " of the epoch order) has no label tokens; the "
                    + "token-averaged loss is undefined");
        }
        if (gradientsDirty) { // an earlier update was interrupted (listener threw, non-finite loss)
            zeroGradients(params);
        }
        double lossSum = 0;
        long forwardNanos = 0;
        long backwardNanos = 0;
        for (int j = 0; j < micro.size(); j++) {
            LabelledBatch lb = micro.get(j);
            if (lb.labelCount() == 0) {
                continue; // contributes nothing to the window's loss or gradient
            }
            Engine.getInstance().setRandomSeed(mixToInt(config.seed(), step + 1, j));
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray count = model.manager().full(new Shape(), (float) labels);
                NDArray sum;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    long t0 = System.nanoTime();
                    sum = CausalLmLoss.sum(model, lb);
                    NDArray scaled = sum.div(count);
                    if (lossScaler != null) {
                        scaled = scaled.mul(model.manager().full(new Shape(), (float) lossScaler.scale()));
                    }
                    long t1 = System.nanoTime();
                    gradientsDirty = true;
                    gc.backward(scaled);
                    forwardNanos += t1 - t0;
                    backwardNanos += System.nanoTime() - t1;
                }
                lossSum += sum.getFloat();
            }
            listener.onMicroBatch(step + 1, j + 1, micro.size());
        }
        if (!Double.isFinite(lossSum / labels)) {
            throw new TrainingDiverged("loss is " + lossSum / labels + " at update " + (step + 1) + " (epoch " + epoch
                    + ")");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return apply(params, AdamW.flatGradients(params), start, windowRows, labels, tokens, lossSum / labels,
                    forwardNanos, backwardNanos);
        }
    }

    /** Clips, steps the optimizer (or skips a float16 overflow) and advances the cursor after a window's backward. */
    private TrainingProgress apply(Map<String, NDArray> params, NDArray flatGradients, long start, int windowRows,
                                   long labels, long tokens, double loss, long forwardNanos, long backwardNanos) {
        // the gradients carry the loss scale, a power of two: dividing it out of the norm is exact
        float unscale = lossScaler == null ? 1f : (float) (1.0 / lossScaler.scale());
        double gradNorm = flatGradients.norm().getFloat() * (double) unscale;
        boolean finite = Double.isFinite(gradNorm);
        if (!finite && lossScaler == null) {
            throw new TrainingDiverged("gradient norm is " + gradNorm + " at update " + (step + 1) + " (epoch "
                    + epoch + ")");
        }
        int skippedBefore = lossScaler == null ? 0 : lossScaler.skippedSteps();
        double scale = lossScaler == null ? 1 : lossScaler.scale();
        boolean apply = lossScaler == null || lossScaler.record(finite);
        // the schedule advances with applied updates only (HF with fp16 does not step it after a skipped update)
        double lr = schedule.learningRate(config.learningRate(), step + 1 - skippedBefore);
        if (apply) {
            float clip = config.maxGradNorm() > 0 ? GradientClipping.coefficient(gradNorm, config.maxGradNorm()) : 1f;
            optimizer.step(params, flatGradients, lr, unscale * clip);
        }
        zeroGradients(params);
        step++;
        int doneEpoch = epoch;
        indexInEpoch += windowRows;
        if (indexInEpoch >= rows.size()) {
            epoch++;
            indexInEpoch = 0;
        }
        lastLoss = loss;
        return new TrainingProgress(step, maxSteps, doneEpoch, loss, gradNorm, lr, labels, tokens,
                (System.nanoTime() - start) / 1e9, forwardNanos / 1e9, backwardNanos / 1e9, scale, !apply);
    }

    private void zeroGradients(Map<String, NDArray> params) {
        for (NDArray p : params.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
        gradientsDirty = false;
    }

    private int[] order() {
        if (orderEpoch != epoch) {
            order = epochOrder(config.seed(), epoch, rows.size());
            orderEpoch = epoch;
        }
        return order;
    }

    /** The row order of {@code epoch}: a Fisher-Yates shuffle of 0..n-1 seeded by (seed, epoch). */
    public static int[] epochOrder(long seed, int epoch, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, 0x5EED));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    public int step() {
        return step;
    }

    public int maxSteps() {
        return maxSteps;
    }

    public int epoch() {
        return epoch;
    }

    public TrainableWeights weights() {
        return weights;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The dynamic loss scaling of a float16 model, or null when training in float32. */
    public LossScaler lossScaler() {
        return lossScaler;
    }

    private static long mix(long seed, long a, long b) {
        long z = seed;
        for (long v : new long[] {a, b}) {
            z = (z ^ v) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
        }
        return z;
    }

    private static int mixToInt(long seed, long step, long micro) {
        return (int) (mix(seed, step, micro) & 0x7FFFFFFF);
    }

    @Override
    public void close() {
        optimizer.close();
    }
}
