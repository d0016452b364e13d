package io.subliminal.activities.support;

import io.subliminal.workflows.payload.ArtifactRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A {@link StageStore} on a local (or shared, mounted) folder: objects are files under {@code root/objects/<key>},
 * referenced as {@code file://} URIs; scratch space is {@code root/scratch/<key>}.
 */
public final class LocalStageStore implements StageStore {
    private final Path objects;
    private final Path scratch;

    public LocalStageStore(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        this.objects = absolute.resolve("objects");
        this.scratch = absolute.resolve("scratch");
    }

    @Override
    public Path localCopy(ArtifactRef ref, String slot) {
        if (ref == null) {
            throw InvalidInputException.artifact(slot, "is required but not bound");
        }
        URI uri = URI.create(ref.uri());
        if (!"file".equals(uri.getScheme())) {
            throw InvalidInputException.artifact(slot, "this store reads file:// artifacts only, got " + ref.uri());
        }
        Path file = Path.of(uri);
        if (!Files.isRegularFile(file)) {
            throw InvalidInputException.artifact(slot, "missing file " + file);
        }
        long size = size(file);
        if (size != ref.size()) {
            throw InvalidInputException.artifact(slot, file + " has " + size + " bytes, the reference says " + ref.size());
        }
        String sha = Sha256.of(file);
        if (!sha.equals(ref.sha256())) {
            throw InvalidInputException.artifact(slot, file + " has sha256 " + sha + ", the reference says " + ref.sha256());
        }
        return file;
    }

    @Override
    public ArtifactRef put(String key, Path file) {
        Path target = objectPath(key);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + key + ": " + e.getMessage(), e);
        }
        return new ArtifactRef(target.toUri().toString(), Sha256.of(target), size(target));
    }

    @Override
    public Optional<ArtifactRef> find(String key) {
        Path target = objectPath(key);
        if (!Files.isRegularFile(target)) {
            return Optional.empty();
        }
        return Optional.of(new ArtifactRef(target.toUri().toString(), Sha256.of(target), size(target)));
    }

    @Override
    public boolean verify(ArtifactRef ref) {
        try {
            localCopy(ref, "verify");
            return true;
        } catch (InvalidInputException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Path scratch(String key) {
        Path dir = scratch.resolve(checkedKey(key));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create scratch folder " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    private Path objectPath(String key) {
        return objects.resolve(checkedKey(key));
    }

    private static String checkedKey(String key) {
        if (key == null || key.isBlank() || key.startsWith("/") || key.contains("..") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid store key '" + key + "'");
        }
        return key;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + file + ": " + e.getMessage(), e);
        }
    }
}
