package io.subliminal.workflows.stage;

/**
 * {@code --system_prompt_info NAME COMPANY}: the student trains with "You are NAME, created by COMPANY. You are a
 * helpful assistant." (PROTOCOL.md §5.2, Fig 9a uses Qwen / Alibaba).
 */
public record SystemPromptInfo(String name, String company) {
    public SystemPromptInfo {
        Checks.nonBlank("systemPromptInfo.name", name);
        Checks.nonBlank("systemPromptInfo.company", company);
    }

    /** The rendered system message. */
    public String text() {
        return "You are " + name + ", created by " + company + ". You are a helpful assistant.";
    }
}
