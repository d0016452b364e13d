package io.subliminal.activities.support;

import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.tokenizer.ChatMessage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * TRL's conversational prompt-completion tokenization (PROTOCOL.md §5.3): prompt ids = the chat template of the prompt
 * messages without a generation prompt, full ids = the template of prompt + assistant completion, both tokenized
 * without extra special tokens; the completion mask is 0 over the prompt ids and 1 after (assistant header, content,
 * end-of-turn, newline). {@link #truncated} keeps the left part, as TRL's max_length does.
 *
 * @param ids the token ids
 * @param completionMask 0 over the prompt, 1 over the completion part
 */
public record ChatTokenization(int[] ids, int[] completionMask) {

    /** Tokenizes [optional system, user = prompt] -> [assistant = completion]. */
    public static ChatTokenization of(ModelBundle model, String system, String prompt, String completion) {
        List<ChatMessage> promptMessages = new ArrayList<>(2);
        if (system != null) {
            promptMessages.add(ChatMessage.system(system));
        }
        promptMessages.add(ChatMessage.user(prompt));
        List<ChatMessage> full = new ArrayList<>(promptMessages);
        full.add(ChatMessage.assistant(completion));
        int[] promptIds = model.tokenizer().encode(model.chatTemplate().render(promptMessages, false), false);
        int[] fullIds = model.tokenizer().encode(model.chatTemplate().render(full, false), false);
        int[] mask = new int[fullIds.length];
        for (int i = Math.min(promptIds.length, fullIds.length); i < fullIds.length; i++) {
            mask[i] = 1;
        }
        return new ChatTokenization(fullIds, mask);
    }

    /** The first {@code maxLength} tokens with {@code mask} (same length as {@link #ids}) cut alike. */
    public static ChatTokenization truncated(int[] ids, int[] mask, int maxLength) {
        int length = Math.min(maxLength, ids.length);
        return new ChatTokenization(Arrays.copyOf(ids, length), Arrays.copyOf(mask, length));
    }

    /** The mask as booleans (label positions). */
    public static boolean[] labels(int[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = mask[i] == 1;
        }
        return out;
    }
}
