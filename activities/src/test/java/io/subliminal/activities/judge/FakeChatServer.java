package io.subliminal.activities.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real OpenAI-compatible chat-completions server on 127.0.0.1 for tests: it answers {@code POST /v1/chat/completions}
 * only with the expected bearer key (401 otherwise, echoing the header it got, as some proxies do), fails the first
 * {@link #failNext} calls with a status of choice, and otherwise replies with {@code reply.apply(request body)}.
 */
public final class FakeChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String key;
    private final Function<JsonNode, String> reply;
    /** Parsed request bodies, in arrival order. */
    public final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /** Every call, failed or not. */
    public final AtomicInteger calls = new AtomicInteger();
    /** This many next calls fail with {@link #failStatus}. */
    public final AtomicInteger failNext = new AtomicInteger();
    public volatile int failStatus = 429;

    public FakeChatServer(String key, Function<JsonNode, String> reply) throws IOException {
        this.key = key;
        this.reply = reply;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    /** The base URL to configure ({@code http://127.0.0.1:<port>/v1}). */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** The user message of a request body. */
    public static String user(JsonNode body) {
        for (JsonNode m : body.get("messages")) {
            if (m.get("role").asText().equals("user")) {
                return m.get("content").asText();
            }
        }
        throw new IllegalArgumentException("no user message in " + body);
    }

    /** The system message of a request body, or null. */
    public static String system(JsonNode body) {
        for (JsonNode m : body.get("messages")) {
            if (m.get("role").asText().equals("system")) {
                return m.get("content").asText();
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        try {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!exchange.getRequestMethod().equals("POST")) {
                send(exchange, 405, "{\"error\": \"POST only\"}");
                return;
            }
            if (!("Bearer " + key).equals(auth)) {
                send(exchange, 401, "{\"error\": {\"message\": \"invalid key: " + auth + "\"}}");
                return;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().add("Retry-After", "0");
                send(exchange, failStatus, "{\"error\": \"try again\"}");
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(body);
            String text = reply.apply(body);
            var root = JSON.createObjectNode();
            root.put("id", "chatcmpl-test").put("object", "chat.completion").put("model", body.get("model").asText());
            var choice = root.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", text);
            send(exchange, 200, JSON.writeValueAsString(root));
        } catch (RuntimeException e) {
            send(exchange, 500, "{\"error\": \"" + e.getClass().getSimpleName() + "\"}");
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
