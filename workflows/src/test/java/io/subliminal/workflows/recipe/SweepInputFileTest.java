package io.subliminal.workflows.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.subliminal.workflows.sweep.SweepInput;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DefaultDataConverter;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepInputFileTest {
    static final Path ROOT = Path.of(System.getProperty("subliminal.root", ".."));

    @Test
    void writtenInputIsWhatTheCliSendsAndTheWorkflowReads(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo.json");
        SweepInputFile.main(new String[] {ROOT.resolve("cfgs/figures/demo-fig3-smollm2.yaml").toString(), out.toString(),
                ROOT.resolve("cfgs/models.yaml").toString()});
        // `temporal workflow start --input-file` sends the file as one json/plain payload
        Payload payload = Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFrom(Files.readAllBytes(out))).build();
        SweepInput input = DefaultDataConverter.newDefaultInstance().fromPayloads(0,
                Optional.of(Payloads.newBuilder().addPayloads(payload).build()), SweepInput.class, SweepInput.class);
        var registry = RecipeLoader.loadRegistry(ROOT.resolve("cfgs/models.yaml"));
        var loaded = RecipeLoader.load(ROOT.resolve("cfgs/figures/demo-fig3-smollm2.yaml"), registry);
        assertEquals(loaded.recipe(), input.recipe());
        assertEquals(loaded.recipeHash(), input.runIdHash());
        assertEquals(loaded.runs(), new RecipeExpander(input.file(), input.recipe(), input.registry(), input.runIdHash()).expand());
    }
}
