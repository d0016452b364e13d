package io.subliminal.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.collections.PyMap;
import io.subliminal.engine.tokenizer.jinja.ChatTemplateGlobals;
import io.subliminal.engine.tokenizer.jinja.LoopFilter;
import io.subliminal.engine.tokenizer.jinja.PythonInterpreter;
import io.subliminal.engine.tokenizer.jinja.TemplatePreprocessor;
import io.subliminal.engine.tokenizer.jinja.PythonJson;
import io.subliminal.engine.tokenizer.jinja.PythonStringMethods;
import io.subliminal.engine.tokenizer.jinja.TemplateLint;
import jinjava.javax.el.CompositeELResolver;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A model's Jinja chat template rendered like transformers' {@code apply_chat_template(..., tokenize=False)}: an
 * environment with {@code trim_blocks} and {@code lstrip_blocks}, the globals {@code raise_exception} and
 * {@code strftime_now}, Python's {@code tojson}, and the variables {@code messages} (list of {role, content} maps),
 * {@code add_generation_prompt}, {@code tools = None}, {@code documents = None} plus the tokenizer's special tokens
 * ({@code bos_token}, {@code eos_token}, ...). Jinja's default {@code keep_trailing_newline=False} is applied (one
 * trailing newline of the template source is dropped).
 *
 * <p>Python constructs real templates use are supported: string methods ({@link PythonStringMethods}), dict
 * {@code .items()/.get()}, slicing, {@code namespace()}, {@code loop.first/last/index0}. Anything Jinjava cannot
 * evaluate (an unknown method, filter or function) is a fatal error that fails the render with an
 * {@link IllegalArgumentException} naming the construct, and unknown filters or tests are refused when the template
 * is created (as jinja2 refuses to compile them); {@code raise_exception} fails it with the template's own message. Instances are thread-safe.
 */
public final class JinjaChatTemplate implements ChatTemplate {

    private final String source;
    private final Map<String, Object> specialTokens;
    private final Clock clock;
    private final Jinjava jinjava;

    /**
     * @param template the chat template text
     * @param specialTokens e.g. {@code bos_token -> <|im_start|>}; absent tokens stay undefined
     * @param clock the clock behind {@code strftime_now}
     */
    public JinjaChatTemplate(String template, Map<String, String> specialTokens, Clock clock) {
        Objects.requireNonNull(template, "template");
        String text = template.endsWith("\r\n") ? template.substring(0, template.length() - 2)
                : template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
        TemplatePreprocessor.Result rewritten = TemplatePreprocessor.rewrite(text);
        this.source = rewritten.source();
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = Objects.requireNonNull(clock, "clock");
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withNestedInterpretationEnabled(false)
                .withKeepTrailingNewline(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withInterperterFactory(PythonInterpreter.FACTORY)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFilter(new PythonJson());
        jinjava.getGlobalContext().registerFilter(new LoopFilter(rewritten.conditions()));
        try {
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                    ChatTemplateGlobals.class.getMethod("raiseException", Object.class)));
            jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                    ChatTemplateGlobals.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        TemplateLint.check(source, jinjava.getGlobalContext());
    }

    /** A template with the system clock. */
    public JinjaChatTemplate(String template, Map<String, String> specialTokens) {
        this(template, specialTokens, Clock.systemDefaultZone());
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        List<Object> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(new PyMap(map));
        }
        context.put("messages", new PyList(msgs));
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("tools", null);
        context.put("documents", null);
        // the globals are also variables, so that `strftime_now is defined` holds as in transformers
        context.put("strftime_now", "strftime_now");
        context.put("raise_exception", "raise_exception");
        RenderResult result = ChatTemplateGlobals.withClock(clock, () -> jinjava.renderForResult(source, context));
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            for (TemplateError e : fatal) {
                Throwable cause = e.getException();
                while (cause != null) {
                    if (cause instanceof ChatTemplateGlobals.TemplateRaised raised) {
                        throw new IllegalArgumentException("chat template raised: " + raised.getMessage(), raised);
                    }
                    cause = cause.getCause();
                }
                if (e.getMessage() != null && e.getMessage().contains("TemplateRaised")) {
                    throw new IllegalArgumentException("chat template raised: " + e.getMessage());
                }
            }
            throw new IllegalArgumentException("chat template cannot be rendered: " + fatal.stream()
                    .map(e -> e.getMessage() + " (in '" + e.getFieldName() + "', line " + e.getLineno() + ")")
                    .collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** The template text as rendered (trailing newline dropped, jinja2-only syntax rewritten). */
    public String source() {
        return source;
    }
}
