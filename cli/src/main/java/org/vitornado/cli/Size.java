package org.vitornado.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.io.Limits;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --size HxW} (or one number for a square): height and width in pixels. */
public record Size(int height, int width) {

    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d{1,9})\\s*(?:[xX]\\s*(\\d{1,9})\\s*)?");

    /** Parses {@code 224x320} or {@code 224}; anything else ({@code 64x}, {@code 64by64}, {@code 0x5}) is an error. */
    public static Size parse(String spec) {
        Matcher m = FORMAT.matcher(spec);
        if (!m.matches()) {
            throw new TypeConversionException("expects HxW such as 224x224 (or one number for a square), got '" + spec + "'");
        }
        long h = Long.parseLong(m.group(1));
        long w = m.group(2) == null ? h : Long.parseLong(m.group(2));
        if (h < 1 || w < 1 || h > Limits.MAX_SIDE || w > Limits.MAX_SIDE) {
            throw new TypeConversionException("sides must be between 1 and " + Limits.MAX_SIDE + " pixels, got '" + spec + "'");
        }
        return new Size((int) h, (int) w);
    }

    @Override
    public String toString() {
        return height + "x" + width;
    }

    /** picocli's hook. */
    public static final class Converter implements ITypeConverter<Size> {
        @Override
        public Size convert(String value) {
            return parse(value);
        }
    }
}
