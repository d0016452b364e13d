package io.subliminal.workflows.recipe;

/** An invalid recipe: names the file, the JSON path inside it and the offending value. */
public final class RecipeException extends RuntimeException {
    private final String file;
    private final String path;

    public RecipeException(String file, String path, String message) {
        super(file + ": " + path + ": " + message);
        this.file = file;
        this.path = path;
    }

    public RecipeException(String file, String path, String message, Throwable cause) {
        super(file + ": " + path + ": " + message, cause);
        this.file = file;
        this.path = path;
    }

    /** The recipe file. */
    public String file() {
        return file;
    }

    /** JSON path of the bad value, e.g. "$.conditions[1].finetune.lora.rank". */
    public String path() {
        return path;
    }
}
