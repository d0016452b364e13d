package io.subliminal.engine.tokenizer.jinja;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} for the C locale, for the {@code strftime_now} global of chat templates
 * (Llama 3.x prints {@code strftime_now("%d %b %Y")}). Supported directives: %a %A %b %B %d %m %y %Y %H %I %M %S %p
 * %j %f %%; any other directive is an error naming it.
 */
public final class PythonStrftime {

    private PythonStrftime() {
    }

    public static String format(ZonedDateTime t, String format) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (++i >= format.length()) {
                throw new IllegalArgumentException("strftime format ends with a lone %: " + format);
            }
            char d = format.charAt(i);
            switch (d) {
                case 'a' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'd' -> b.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> b.append(String.format("%02d", t.getMonthValue()));
                case 'y' -> b.append(String.format("%02d", t.getYear() % 100));
                case 'Y' -> b.append(t.getYear());
                case 'H' -> b.append(String.format("%02d", t.getHour()));
                case 'I' -> b.append(String.format("%02d", t.getHour() % 12 == 0 ? 12 : t.getHour() % 12));
                case 'M' -> b.append(String.format("%02d", t.getMinute()));
                case 'S' -> b.append(String.format("%02d", t.getSecond()));
                case 'p' -> b.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> b.append(String.format("%03d", t.getDayOfYear()));
                case 'f' -> b.append(String.format("%06d", t.getNano() / 1000));
                case '%' -> b.append('%');
                default -> throw new IllegalArgumentException("unsupported strftime directive %" + d + " in " + format);
            }
        }
        return b.toString();
    }
}
