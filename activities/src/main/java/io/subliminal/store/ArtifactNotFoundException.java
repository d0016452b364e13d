package io.subliminal.store;

import java.io.IOException;

/** No artifact (with a manifest) exists at the requested key or uri. */
public final class ArtifactNotFoundException extends IOException {

    public ArtifactNotFoundException(String what) {
        super("artifact not found: " + what);
    }
}
