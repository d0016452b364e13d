package io.subliminal.workers.launch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Main class of the runnable worker jar ({@code java -jar subliminal-workers.jar ...}): starts the worker
 * application class, {@value #DEFAULT_APPLICATION} unless {@code SUBLIMINAL_MAIN_CLASS} (environment) or
 * {@code subliminal.main.class} (system property) names another, passing the arguments through. When that class is
 * not in the jar it prints usage and exits with status 2.
 */
public final class Launcher {

    /** The Micronaut application of the workers module. */
    public static final String DEFAULT_APPLICATION = "io.subliminal.workers.Application";

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        String name = System.getProperty("subliminal.main.class", System.getenv("SUBLIMINAL_MAIN_CLASS"));
        if (name == null || name.isBlank()) {
            name = DEFAULT_APPLICATION;
        }
        Method main;
        try {
            main = Class.forName(name).getMethod("main", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println(usage(name));
            System.exit(2);
            return;
        }
        if (!Modifier.isStatic(main.getModifiers())) {
            throw new IllegalStateException(name + ".main is not static");
        }
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    static String usage(String missing) {
        return String.join(System.lineSeparator(),
            "subliminal-workers: application class " + missing + " is not in this jar.",
            "usage: java -jar subliminal-workers.jar [application arguments]",
            "  SUBLIMINAL_MAIN_CLASS   application main class (default " + DEFAULT_APPLICATION + ")",
            "  SUBLIMINAL_ROLE         orchestrator | gpu",
            "  SUBLIMINAL_TEMPORAL_ADDRESS  Temporal frontend host:port",
            "  SUBLIMINAL_STORE        artifact store uri (file:///dir or s3://bucket/prefix)",
            "  SUBLIMINAL_S3_ENDPOINT  S3-compatible endpoint (MinIO, Ceph); credentials via AWS_* variables");
    }
}
