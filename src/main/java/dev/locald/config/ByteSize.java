package dev.locald.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A number of bytes as people write it: {@code 4G}, {@code 512M}, {@code 256MiB}, {@code 1.5G} or plain bytes.
 * Every unit is a power of 1024 (as docker's {@code --memory} reads them): K, M, G and T with an optional
 * {@code i} and {@code B}, case-insensitive. The one parser for sizes in configuration and requests.
 */
@Schema(
        type = SchemaType.STRING,
        description = "a size: bytes, or a number with K, M, G or T (powers of 1024)",
        examples = "2 GiB")
public record ByteSize(long bytes) implements Comparable<ByteSize> {

    private static final Pattern SYNTAX =
            Pattern.compile("([0-9]{1,19}(?:\\.[0-9]{1,6})?)\\s*(?:([KMGT])(?:I?B?)|B)?", Pattern.CASE_INSENSITIVE);
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    @JsonCreator
    public static ByteSize parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text
                            + "' is not a size: write bytes, or a number with K, M, G or T (powers of 1024), e.g. 512M or 4GiB");
        }
        int power = m.group(2) == null ? 0 : "KMGT".indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1;
        BigDecimal value =
                new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        if (value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return new ByteSize(value.longValue());
    }

    /** For SmallRye Config's implicit converter (configuration values). */
    public static ByteSize valueOf(String text) {
        return parse(text);
    }

    /** The largest unit that divides it exactly: {@code 256 MiB}, {@code 4 GiB}, {@code 1000 B}; parses back. */
    @JsonValue
    @Override
    public String toString() {
        long value = bytes;
        int unit = -1;
        while (value != 0 && value % 1024 == 0 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return value + " " + (unit < 0 ? "B" : UNITS[unit]);
    }

    @Override
    public int compareTo(ByteSize other) {
        return Long.compare(bytes, other.bytes);
    }
}
