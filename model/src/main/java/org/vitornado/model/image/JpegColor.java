package org.vitornado.model.image;

/**
 * libjpeg's YCbCr to RGB conversion ({@code jdcolor.c}, the same in libjpeg-turbo, which PIL links): 16-bit fixed
 * point, rounded, clipped to 0..255. Used for Adobe YCCK JPEGs, whose samples the JDK hands over unconverted.
 */
final class JpegColor {

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);

    private JpegColor() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    /** {@code rgb[0..2]} of one pixel. */
    static void yccToRgb(int y, int cb, int cr, int[] rgb) {
        int crc = cr - 128;
        int cbc = cb - 128;
        int red = y + ((fix(1.40200) * crc + ONE_HALF) >> SCALEBITS);
        int green = y + ((-fix(0.34414) * cbc + ONE_HALF - fix(0.71414) * crc) >> SCALEBITS);
        int blue = y + ((fix(1.77200) * cbc + ONE_HALF) >> SCALEBITS);
        rgb[0] = clamp(red);
        rgb[1] = clamp(green);
        rgb[2] = clamp(blue);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
