package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The openai/gsm8k "main" train split as JSONL (one {@code {"question", "answer"}} object per line, the dataset's
 * own field names) and its sharding for teacher generation (PROTOCOL §11.5 step 1: shard i = rows i, i + n, ...).
 */
public final class Gsm8kQuestions {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Gsm8kQuestions() {
    }

    /** The questions in file order; a line without a string "question" is an error naming the line. */
    public static List<String> read(Path file) {
        List<String> questions = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException("line " + number + " is not JSON: " + e.getMessage());
                }
                JsonNode question = row == null ? null : row.get("question");
                if (question == null || !question.isTextual()) {
                    throw new IllegalArgumentException("line " + number + " has no string field 'question'");
                }
                questions.add(question.asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return questions;
    }

    /** The row indices of shard {@code shard} of {@code shards}: shard, shard + shards, shard + 2 shards, ... */
    public static List<Integer> shard(int rows, int shard, int shards) {
        if (shards <= 0 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards + " does not exist");
        }
        List<Integer> indices = new ArrayList<>();
        for (int i = shard; i < rows; i += shards) {
            indices.add(i);
        }
        return indices;
    }
}
