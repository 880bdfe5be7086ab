package org.vitornado.model.image;

/**
 * Resampling filters for image preprocessing, PIL-style: separable, with the filter stretched by the scale when
 * downsampling (antialias), which is what torchvision / PIL resizing of the input images does.
 */
public enum Interpolation {
    NEAREST(0.5),
    BILINEAR(1.0),
    BICUBIC(2.0);

    /** Filter half-width at scale 1. */
    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Filter weight at distance {@code x} (in input pixels at scale 1). */
    double weight(double x) {
        double ax = Math.abs(x);
        return switch (this) {
            case NEAREST -> x >= -0.5 && x < 0.5 ? 1 : 0;
            case BILINEAR -> ax < 1 ? 1 - ax : 0;
            case BICUBIC -> {
                double a = -0.5; // PIL's bicubic
                yield ax < 1 ? ((a + 2) * ax - (a + 3)) * ax * ax + 1
                        : ax < 2 ? ((ax - 5) * ax + 8) * ax * a - 4 * a : 0;
            }
        };
    }

    /** HF {@code resample} codes (PIL.Image constants) and timm names. */
    public static Interpolation parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "0", "nearest" -> NEAREST;
            case "2", "bilinear", "linear" -> BILINEAR;
            case "3", "bicubic", "cubic" -> BICUBIC;
            default -> throw new IllegalArgumentException("unknown interpolation '" + name + "' (nearest, bilinear, bicubic)");
        };
    }
}
