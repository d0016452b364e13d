package io.subliminal.engine.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ObjectTruthValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * jinja2's filtered loop {@code {% for x in items if cond %}}, which Jinjava does not support (it silently loops over
 * nothing). {@link TemplatePreprocessor} rewrites such a tag to {@code {% for x in (items) | __loop_if(N) %}}; this
 * filter keeps the items for which condition {@code N} is true with the loop targets bound, so {@code loop.index},
 * {@code loop.last} and {@code loop.length} count the kept items, as in jinja2.
 */
public final class LoopFilter implements Filter {

    public static final String NAME = "__loop_if";

    /** One rewritten loop: its target names and its condition expression. */
    public record Condition(List<String> targets, String expression) {
    }

    private final List<Condition> conditions;

    public LoopFilter(List<Condition> conditions) {
        this.conditions = List.copyOf(conditions);
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        Condition c = conditions.get(Integer.parseInt(args[0].trim()));
        List<Object> kept = new ArrayList<>();
        for (Object item : iterate(var)) {
            interpreter.enterScope();
            try {
                bind(c.targets(), item, interpreter);
                if (ObjectTruthValue.evaluate(interpreter.resolveELExpression(c.expression(), interpreter.getLineNumber()))) {
                    kept.add(item);
                }
            } finally {
                interpreter.leaveScope();
            }
        }
        return kept;
    }

    private static Iterable<?> iterate(Object var) {
        if (var == null) {
            return List.of();
        }
        if (var instanceof Map<?, ?> m) {
            return m.keySet();
        }
        if (var instanceof Iterable<?> it) {
            return it;
        }
        if (var instanceof Object[] arr) {
            return Arrays.asList(arr);
        }
        if (var instanceof Iterator<?> it) {
            List<Object> l = new ArrayList<>();
            it.forEachRemaining(l::add);
            return l;
        }
        return List.of(var);
    }

    private static void bind(List<String> targets, Object item, JinjavaInterpreter interpreter) {
        if (targets.size() == 1) {
            interpreter.getContext().put(targets.get(0), item);
            return;
        }
        List<Object> values = new ArrayList<>();
        if (item instanceof Map.Entry<?, ?> e) {
            values.add(e.getKey());
            values.add(e.getValue());
        } else if (item instanceof Iterable<?> it) {
            it.forEach(values::add);
        } else if (item instanceof Object[] arr) {
            values.addAll(Arrays.asList(arr));
        }
        if (values.size() != targets.size()) {
            throw new IllegalArgumentException("cannot unpack " + item + " into " + targets);
        }
        for (int i = 0; i < targets.size(); i++) {
            interpreter.getContext().put(targets.get(i), values.get(i));
        }
    }
}
