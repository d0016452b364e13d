package io.subliminal.workers.devserver;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The environment {@code docker-compose.yml} gives one service's container, read from the file itself (YAML anchors
 * and {@code <<} merges included) and interpolated the way compose does it on the host: {@code ${NAME:-default}}
 * (default when unset or empty), {@code ${NAME-default}} (default when unset), {@code ${NAME}}, {@code $$}.
 * Tests start workers with it, so a variable the compose file sets that the worker does not read shows up there.
 */
final class ComposeEnvironment {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?}");

    private ComposeEnvironment() {
    }

    /** The {@code environment:} of {@code service}, with host variables {@code variables} (others are unset). */
    static Map<String, String> of(Path composeFile, String service, Map<String, String> variables) throws IOException {
        Map<?, ?> compose;
        try (Reader in = Files.newBufferedReader(composeFile)) {
            compose = new Yaml().load(in);
        }
        Object services = compose.get("services");
        Object definition = services instanceof Map<?, ?> all ? all.get(service) : null;
        if (!(definition instanceof Map<?, ?> serviceMap)) {
            throw new IllegalArgumentException(composeFile + " has no service '" + service + "'");
        }
        if (!(serviceMap.get("environment") instanceof Map<?, ?> environment)) {
            throw new IllegalArgumentException(composeFile + ": service '" + service
                    + "' has no environment mapping (the list form is not read here)");
        }
        Map<String, String> out = new LinkedHashMap<>();
        environment.forEach((name, value) -> out.put(String.valueOf(name),
                value == null ? "" : interpolate(String.valueOf(value), variables)));
        return out;
    }

    static String interpolate(String value, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String set = variables.get(m.group(1));
                String operator = m.group(2);
                if (operator == null) {
                    replacement = set == null ? "" : set;
                } else if (operator.equals(":-")) {
                    replacement = set == null || set.isEmpty() ? m.group(3) : set;
                } else {
                    replacement = set == null ? m.group(3) : set;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        if (out.indexOf("${") >= 0) {
            throw new IllegalArgumentException("unsupported compose interpolation in '" + value + "'");
        }
        return out.toString();
    }
}
