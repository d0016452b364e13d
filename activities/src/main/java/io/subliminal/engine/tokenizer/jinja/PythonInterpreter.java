package io.subliminal.engine.tokenizer.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;

import java.util.Iterator;
import java.util.Map;

/**
 * A Jinjava interpreter that prints values the way Python's {@code str()} does in jinja2: {@code True/False},
 * lists and dicts in repr form ({@code [1, 'a', None]}, {@code {'k': 'v'}}), floats as Python floats. Strings and
 * other values print as before. A null value still prints as the empty string: Jinjava cannot tell Python's
 * {@code None} (printed "None") from an undefined variable (printed "").
 */
public final class PythonInterpreter extends JinjavaInterpreter {

    /** Creates {@link PythonInterpreter}s for a {@link JinjavaConfig}. */
    public static final InterpreterFactory FACTORY = new InterpreterFactory() {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            return new PythonInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig config) {
            return new PythonInterpreter(application, context, config);
        }
    };

    public PythonInterpreter(Jinjava application, Context context, JinjavaConfig config) {
        super(application, context, config);
    }

    public PythonInterpreter(JinjavaInterpreter orig) {
        super(orig);
    }

    @Override
    public String getAsString(Object value) {
        if (value instanceof Boolean || value instanceof Double || value instanceof Float
                || value instanceof Map<?, ?> || (value instanceof Iterable<?> && !(value instanceof CharSequence))) {
            return str(value);
        }
        return super.getAsString(value);
    }

    /** Python's {@code str(value)}. */
    public static String str(Object v) {
        if (v instanceof CharSequence s) {
            return s.toString();
        }
        return repr(v);
    }

    /** Python's {@code repr(value)} for the types templates handle. */
    public static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof Double || v instanceof Float) {
            return PythonJson.pythonFloat(((Number) v).doubleValue());
        }
        if (v instanceof CharSequence s) {
            return quote(s.toString());
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<?, ?> e = it.next();
                b.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                if (it.hasNext()) {
                    b.append(", ");
                }
            }
            return b.append('}').toString();
        }
        if (v instanceof Iterable<?> items) {
            StringBuilder b = new StringBuilder("[");
            for (Iterator<?> it = items.iterator(); it.hasNext(); ) {
                b.append(repr(it.next()));
                if (it.hasNext()) {
                    b.append(", ");
                }
            }
            return b.append(']').toString();
        }
        return v.toString();
    }

    /** Python's string repr: single quotes unless the text has ' and no ". */
    private static String quote(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == q || c == '\\') {
                b.append('\\').append(c);
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append(q).toString();
    }
}
