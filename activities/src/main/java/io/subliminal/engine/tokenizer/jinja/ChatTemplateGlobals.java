package io.subliminal.engine.tokenizer.jinja;

import java.time.Clock;
import java.time.ZonedDateTime;

/**
 * The globals transformers adds to the chat-template environment: {@code raise_exception(message)} and
 * {@code strftime_now(format)}. Registered with Jinjava as EL functions; the clock of the render in progress is
 * held per thread.
 */
public final class ChatTemplateGlobals {

    private static final ThreadLocal<Clock> CLOCK = ThreadLocal.withInitial(Clock::systemDefaultZone);

    private ChatTemplateGlobals() {
    }

    /** Thrown by a template's {@code raise_exception}: the template rejected its input. */
    public static final class TemplateRaised extends RuntimeException {
        public TemplateRaised(String message) {
            super(message);
        }
    }

    public static Object raiseException(Object message) {
        throw new TemplateRaised(String.valueOf(message));
    }

    public static String strftimeNow(String format) {
        return PythonStrftime.format(ZonedDateTime.now(CLOCK.get()), format);
    }

    /** Runs {@code body} with {@code clock} behind {@code strftime_now}. */
    public static <T> T withClock(Clock clock, java.util.function.Supplier<T> body) {
        Clock previous = CLOCK.get();
        CLOCK.set(clock);
        try {
            return body.get();
        } finally {
            CLOCK.set(previous);
        }
    }
}
