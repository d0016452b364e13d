package io.subliminal.engine.tokenizer.jinja;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} methods for Jinjava, so chat templates written for Python's jinja2 (which exposes Python
 * objects) work on Java strings: {@code strip/lstrip/rstrip([chars])}, {@code startswith/endswith(str | tuple)},
 * {@code split([sep[, maxsplit]])}, {@code upper}, {@code lower}, {@code title}, {@code capitalize},
 * {@code replace(old, new[, count])}, {@code find}, {@code count}, {@code join}. Whitespace follows Python's
 * {@code str.isspace} for the code points templates meet (ASCII whitespace, NEL, NBSP, Unicode spaces).
 *
 * <p>Placed first in the EL resolver chain; any other method call falls through to Jinjava, which reports an
 * unknown method as a fatal template error (so a construct we do not handle fails loudly).
 */
public final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || method == null) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result;
        switch (method.toString()) {
            case "strip" -> result = rstrip(lstrip(s, chars(p)), chars(p));
            case "lstrip" -> result = lstrip(s, chars(p));
            case "rstrip" -> result = rstrip(s, chars(p));
            case "startswith" -> result = affix(s, p, true);
            case "endswith" -> result = affix(s, p, false);
            case "split" -> result = split(s, p);
            case "upper" -> result = s.toUpperCase(Locale.ROOT);
            case "lower" -> result = s.toLowerCase(Locale.ROOT);
            case "title" -> result = title(s);
            case "capitalize" -> result = s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> result = replace(s, p);
            case "find" -> result = s.indexOf(str(p, 0, "find"));
            case "count" -> result = count(s, str(p, 0, "count"));
            case "join" -> result = join(s, p);
            default -> {
                return null;
            }
        }
        context.setPropertyResolved(true);
        return result;
    }

    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f
                || c == 0x3000;
    }

    private static String chars(Object[] p) {
        if (p.length == 0 || p[0] == null) {
            return null;
        }
        return p[0].toString();
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) {
            j--;
        }
        return s.substring(0, j);
    }

    private static boolean affix(String s, Object[] p, boolean prefix) {
        if (p.length == 0) {
            throw new IllegalArgumentException((prefix ? "startswith" : "endswith") + "() needs an argument");
        }
        if (p[0] instanceof Collection<?> options) {
            for (Object o : options) {
                if (prefix ? s.startsWith(String.valueOf(o)) : s.endsWith(String.valueOf(o))) {
                    return true;
                }
            }
            return false;
        }
        String a = String.valueOf(p[0]);
        return prefix ? s.startsWith(a) : s.endsWith(a);
    }

    private static List<String> split(String s, Object[] p) {
        String sep = p.length > 0 && p[0] != null ? p[0].toString() : null;
        int max = p.length > 1 && p[1] != null ? ((Number) p[1]).intValue() : -1;
        List<String> out = new ArrayList<>();
        if (sep == null) {                             // runs of whitespace, no empty strings
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= s.length()) {
                    break;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(rstrip(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split(): empty separator");
        }
        int from = 0;
        while (max < 0 || out.size() < max) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return b.toString();
    }

    private static String replace(String s, Object[] p) {
        String old = str(p, 0, "replace");
        String neu = str(p, 1, "replace");
        int n = p.length > 2 && p[2] != null ? ((Number) p[2]).intValue() : -1;
        if (n < 0) {
            return s.replace(old, neu);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (int k = 0; k < n; k++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(neu);
            from = at + old.length();
        }
        return b.append(s.substring(from)).toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Object[] p) {
        if (p.length == 0 || !(p[0] instanceof Iterable<?> items)) {
            throw new IllegalArgumentException("join() needs a list");
        }
        StringBuilder b = new StringBuilder();
        for (Iterator<?> it = items.iterator(); it.hasNext(); ) {
            b.append(it.next());
            if (it.hasNext()) {
                b.append(sep);
            }
        }
        return b.toString();
    }

    private static String str(Object[] p, int i, String method) {
        if (p.length <= i || p[i] == null) {
            throw new IllegalArgumentException(method + "() is missing argument " + (i + 1));
        }
        return p[i].toString();
    }

    // ------------------------------------------------------------ property access: not ours

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // not resolved here
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
