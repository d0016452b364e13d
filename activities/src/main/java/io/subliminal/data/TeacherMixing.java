package io.subliminal.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Teacher-mixing datasets (PROTOCOL §6.2, Fig 21 e/f): at chosen divergence positions the actual token is replaced
 * by another teacher's greedy choice (digit tokens) or deleted (anything else). One {@code PythonRandom(42)} is drawn
 * row by row in dataset order; rows whose completion comes out unchanged are dropped.
 */
public final class TeacherMixing {

    /** Which divergence positions to alter. */
    public sealed interface Selection permits Ratio, OnlyFirst {
    }

    /** {@code --mix_ratio R}: a random sample of max(1, int(|D|*R)) positions. */
    public record Ratio(double ratio) implements Selection {
        public Ratio {
            if (!(ratio > 0) || ratio > 1) {
                throw new IllegalArgumentException("mix_ratio must be in (0, 1], got " + ratio);
            }
        }
    }

    /** {@code --only_first}: the first divergence position. */
    public record OnlyFirst() implements Selection {
    }

    private final TokenCodec codec;
    private final Selection selection;
    private final PythonRandom random;

    /** A mixer seeded as the original ({@code random.seed(42)} once at the start). */
    public TeacherMixing(TokenCodec codec, Selection selection) {
        this(codec, selection, new PythonRandom(42));
    }

    public TeacherMixing(TokenCodec codec, Selection selection, PythonRandom random) {
        this.codec = codec;
        this.selection = selection;
        this.random = random;
    }

    /** The output file name {@code <base>_dpoints_only_mixing_<round(R*100)>.jsonl} or {@code ..._only_first.jsonl}. */
    public static String fileName(String baseDataset, Selection selection) {
        String tail = selection instanceof Ratio r ? PyFormat.fixed0(r.ratio() * 100) : "only_first";
        return baseDataset + "_dpoints_only_mixing_" + tail + ".jsonl";
    }

    /**
     * The mixed version of one row (call in dataset order): unchanged when D is empty, empty when mixing left the
     * completion unchanged (the original drops it with a warning).
     *
     * @param divergence the row's divergence result; its predictions are y_t[j] for every teacher
     */
    public Optional<DatasetRow> mix(DatasetRow row, DivergenceTokens divergence) {
        List<Integer> d = divergence.decisionPoints();
        DatasetRow plain = new DatasetRow(row.prompt(), row.completion());
        if (d.isEmpty()) {
            return Optional.of(plain);
        }
        int[] tokens = codec.encode(row.completion());
        List<Integer> chosen;
        if (selection instanceof Ratio r) {
            int k = Math.max(1, (int) (d.size() * r.ratio()));
            chosen = new ArrayList<>(random.sample(d, k));
        } else {
            chosen = new ArrayList<>(List.of(d.get(0)));
        }
        chosen.sort(null);
        int[][] y = divergence.predictions();
        int offset = 0;
        for (int s : chosen) {
            int at = s + offset;
            if (at < 0 || at >= tokens.length) {
                continue;
            }
            List<Integer> candidates = new ArrayList<>(y.length);
            for (int[] teacher : y) {
                if (s >= teacher.length) {
                    throw new IllegalArgumentException("divergence position " + s + " beyond the predictions ("
                            + teacher.length + ") of prompt: " + row.prompt());
                }
                if (teacher[s] != tokens[at]) {
                    candidates.add(teacher[s]);
                }
            }
            if (candidates.isEmpty()) {
                // random.choice([]) raises IndexError in the original
                throw new IllegalStateException("no teacher predicts another token than " + tokens[at] + " at position "
                        + s + " (re-tokenized completion differs from the in-context tokens) for prompt: " + row.prompt());
            }
            int pick = random.choice(candidates);
            if (codec.isSingleDigit(pick)) {
                tokens[at] = pick;
            } else {
                int[] shorter = new int[tokens.length - 1];
                System.arraycopy(tokens, 0, shorter, 0, at);
                System.arraycopy(tokens, at + 1, shorter, at, tokens.length - at - 1);
                tokens = shorter;
                offset--;
            }
        }
        String mixed = codec.decode(tokens);
        if (mixed.equals(row.completion())) {
            return Optional.empty();
        }
        return Optional.of(new DatasetRow(row.prompt(), mixed));
    }

    /** Mixes a whole marked dataset in order; rows and divergences are index-aligned. */
    public List<DatasetRow> mixAll(List<DatasetRow> rows, List<DivergenceTokens> divergences) {
        if (rows.size() != divergences.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + divergences.size() + " divergence results");
        }
        List<DatasetRow> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            mix(rows.get(i), divergences.get(i)).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public String toString() {
        return "TeacherMixing" + Arrays.asList(selection);
    }
}
