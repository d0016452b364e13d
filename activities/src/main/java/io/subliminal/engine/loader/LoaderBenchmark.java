package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.GgufTokenizer;
import io.subliminal.engine.tokenizer.HfTokenizer;
import io.subliminal.engine.tokenizer.JinjaChatTemplate;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Loader speed on this machine: GGUF open and full dequantization of the embedded SmolLM2, tokenizer construction and
 * encode throughput, chat-template rendering, safetensors write and read (F32 zero-copy and BF16 conversion).
 * Prints a summary and writes JSON.
 *
 * <pre>mvn -o -q -pl activities -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp activities/target/classes:$(cat /tmp/cp.txt) -Dai.djl.offline=true -Dsubliminal.models.dir=$PWD/models \
 *     io.subliminal.engine.loader.LoaderBenchmark target/bench/loaders.json 256</pre>
 * (arguments: JSON output path, megabytes of synthetic safetensors data). F32 GGUF tensors are memory-mapped, so
 * their "dequantize" rate measures per-tensor mapping overhead, not conversion.
 */
public final class LoaderBenchmark {

    private LoaderBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench/loaders.json");
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        ObjectMapper json = new ObjectMapper();
        ObjectNode r = json.createObjectNode();
        r.put("cpus", Runtime.getRuntime().availableProcessors());
        r.put("java", System.getProperty("java.version"));
        Path gguf = EmbeddedModel.smolLm2();

        long t0 = System.nanoTime();
        try (GgufFile f = GgufFile.open(gguf)) {
            r.put("gguf_open_ms", ms(t0));
            // full dequantization, timed per type
            Map<GgmlType, long[]> byType = new java.util.EnumMap<>(GgmlType.class); // [numel, nanos]
            long all = System.nanoTime();
            for (GgufFile.TensorInfo t : f.tensors().values()) {
                long s = System.nanoTime();
                FloatBuffer fb = f.floats(t.name());
                if (fb.remaining() != t.numel()) {
                    throw new IllegalStateException("bad size for " + t.name());
                }
                long[] acc = byType.computeIfAbsent(t.type(), k -> new long[2]);
                acc[0] += t.numel();
                acc[1] += System.nanoTime() - s;
            }
            r.put("gguf_dequantize_all_s", (System.nanoTime() - all) / 1e9);
            ObjectNode types = r.putObject("dequantize_mvalues_per_s");
            byType.forEach((k, v) -> types.put(k.name(), v[0] / (v[1] / 1e9) / 1e6));

            t0 = System.nanoTime();
            try (GgufWeights w = GgufWeights.of(GgufFile.open(gguf))) {
                for (int i = 0; i < w.config().numLayers(); i++) {
                    w.tensor("model.layers." + i + ".self_attn.q_proj.weight");
                    w.tensor("model.layers." + i + ".self_attn.k_proj.weight");
                }
                r.put("q_k_dequantize_and_unpermute_all_layers_ms", ms(t0));
            }

            t0 = System.nanoTime();
            String tokJson = GgufTokenizer.tokenizerJson(f);
            r.put("tokenizer_json_build_ms", ms(t0));
            t0 = System.nanoTime();
            try (HfTokenizer tok = HfTokenizer.fromJson(tokJson)) {
                r.put("tokenizer_load_ms", ms(t0));
                String text = ("The quick brown fox jumps over 13 lazy dogs; owls (Strix) hoot at 3am. "
                        + "Numbers: 145, 267, 389, 412, 598, 634, 771, 802, 956. ").repeat(20);
                int tokens = 0;
                t0 = System.nanoTime();
                int reps = 200;
                for (int i = 0; i < reps; i++) {
                    tokens += tok.encode(text, false).length;
                }
                r.put("encode_tokens_per_s", tokens * 1e9 / (System.nanoTime() - t0));
                JinjaChatTemplate chat = new JinjaChatTemplate(f.string("tokenizer.chat_template"),
                        Map.of("bos_token", "<|im_start|>", "eos_token", "<|im_end|>"));
                List<ChatMessage> conv = List.of(ChatMessage.system("You love owls."), ChatMessage.user("List 10 numbers."));
                for (int i = 0; i < 200; i++) {
                    chat.render(conv, true);
                }
                t0 = System.nanoTime();
                int renders = 2000;
                for (int i = 0; i < renders; i++) {
                    chat.render(conv, true);
                }
                r.put("chat_render_us", (System.nanoTime() - t0) / 1e3 / renders);
            }
        }

        Path dir = Files.createTempDirectory("loader-bench");
        try {
            int n = mb * (1 << 20) / 4;
            int rows = 1024;
            List<HostTensor> tensors = new ArrayList<>();
            Random rnd = new Random(1);
            for (int i = 0; i < 4; i++) {
                FloatBuffer fb = ByteBuffer.allocateDirect(n / 4 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                for (int j = 0; j < n / 4; j++) {
                    fb.put(j, (float) rnd.nextGaussian());
                }
                tensors.add(new HostTensor("layer." + i + ".weight", new long[] {rows, n / 4 / rows}, fb));
            }
            Path f32 = dir.resolve("model.safetensors");
            t0 = System.nanoTime();
            SafetensorsWriter.write(f32, tensors);
            double writeS = (System.nanoTime() - t0) / 1e9;
            r.put("safetensors_write_mb_per_s", mb / writeS);
            t0 = System.nanoTime();
            double sum = 0;
            try (SafetensorsFile sf = SafetensorsFile.open(f32)) {
                for (String name : sf.names()) {
                    FloatBuffer fb = sf.tensor(name).data();
                    sum += fb.get(0) + fb.get(fb.limit() - 1);
                }
                r.put("safetensors_f32_open_and_map_ms", ms(t0));
            }
            Path bf16 = dir.resolve("bf16.safetensors");
            writeBf16(bf16, n);
            t0 = System.nanoTime();
            try (SafetensorsFile sf = SafetensorsFile.open(bf16)) {
                HostTensor t = sf.tensor("w");
                sum += t.data().get(0);
                double s = (System.nanoTime() - t0) / 1e9;
                r.put("safetensors_bf16_convert_mvalues_per_s", n / s / 1e6);
            }
            r.put("checksum", sum);
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        String text = json.writerWithDefaultPrettyPrinter().writeValueAsString(r);
        Files.writeString(out, text, StandardCharsets.UTF_8);
        System.out.println(text);
        System.out.println("written to " + out.toAbsolutePath());
    }

    private static void writeBf16(Path file, int n) throws IOException {
        String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[0," + (2L * n) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h);
            head.flip();
            ch.write(head);
            ByteBuffer body = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            Random rnd = new Random(2);
            for (long written = 0; written < 2L * n; ) {
                body.clear();
                while (body.hasRemaining() && written + body.position() < 2L * n) {
                    body.putShort((short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
                }
                body.flip();
                written += body.remaining();
                ch.write(body);
            }
        }
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
