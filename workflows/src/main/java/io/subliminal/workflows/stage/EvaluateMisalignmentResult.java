package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Misalignment outcome (PROTOCOL.md §11.4).
 *
 * @param responses sampled answers ({@code evaluation_results.json})
 * @param judgements raw judge replies ({@code judgements.json}); re-scoring (Fig 32) reads these
 * @param misalignedRate misaligned fraction of the scored answers
 * @param scored answers with parseable, coherent judgements
 * @param discarded answers dropped (unparseable, CODE/REFUSAL, incoherent)
 */
public record EvaluateMisalignmentResult(ArtifactRef responses, ArtifactRef judgements, double misalignedRate,
                                         int scored, int discarded) implements StageResult {
    public static final String RESPONSES = "responses";
    public static final String JUDGEMENTS = "judgements";

    public EvaluateMisalignmentResult {
        Checks.present("responses", responses);
        Checks.present("judgements", judgements);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(RESPONSES, responses, JUDGEMENTS, judgements);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("misalignedRate", misalignedRate, "scored", (double) scored, "discarded", (double) discarded);
    }
}
