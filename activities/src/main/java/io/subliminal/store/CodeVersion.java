package io.subliminal.store;

/**
 * The version of the running code, recorded in every manifest: the {@code SUBLIMINAL_CODE_VERSION} environment
 * variable (the container build sets it to the git commit), else the {@code subliminal.code.version} system property,
 * else the jar's {@code Implementation-Version}, else {@code dev}.
 */
public final class CodeVersion {

    private CodeVersion() {
    }

    /** The version string as described above. */
    public static String current() {
        String v = System.getenv("SUBLIMINAL_CODE_VERSION");
        if (v == null || v.isBlank()) {
            v = System.getProperty("subliminal.code.version");
        }
        if (v == null || v.isBlank()) {
            v = CodeVersion.class.getPackage().getImplementationVersion();
        }
        return v == null || v.isBlank() ? "dev" : v.trim();
    }
}
