package org.vitornado.model.image;

import java.util.Locale;

/**
 * PIL's resampling filters ({@code Image.Resampling}), with their supports and kernels exactly as Pillow 9.4's
 * {@code Resample.c} writes them; {@link PilResize} applies them.
 */
public enum Interpolation {
    NEAREST(0.0),
    BOX(0.5),
    BILINEAR(1.0),
    HAMMING(1.0),
    BICUBIC(2.0),
    LANCZOS(3.0);

    /** Filter half-width at scale 1. */
    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Filter weight at distance {@code x} (in input pixels at scale 1). */
    double weight(double x) {
        return switch (this) {
            case NEAREST, BOX -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR -> Math.abs(x) < 1.0 ? 1.0 - Math.abs(x) : 0.0;
            case HAMMING -> {
                double a = Math.abs(x);
                if (a == 0.0) {
                    yield 1.0;
                }
                if (a >= 1.0) {
                    yield 0.0;
                }
                a = a * Math.PI;
                yield Math.sin(a) / a * (0.54f + 0.46f * Math.cos(a));
            }
            case BICUBIC -> {
                double a = -0.5;
                double ax = Math.abs(x);
                if (ax < 1.0) {
                    yield ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
                }
                yield ax < 2.0 ? (((ax - 5) * ax + 8) * ax - 4) * a : 0.0;
            }
            case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        };
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        double px = x * Math.PI;
        return Math.sin(px) / px;
    }

    /** Hugging Face's {@code resample} codes (PIL's constants) and timm's names. */
    public static Interpolation parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "0", "nearest" -> NEAREST;
            case "4", "box" -> BOX;
            case "2", "bilinear", "linear" -> BILINEAR;
            case "5", "hamming" -> HAMMING;
            case "3", "bicubic", "cubic" -> BICUBIC;
            case "1", "lanczos", "antialias" -> LANCZOS;
            default -> throw new IllegalArgumentException("unknown interpolation '" + name
                    + "' (nearest, box, bilinear, hamming, bicubic, lanczos, or PIL's codes 0-5)");
        };
    }
}
