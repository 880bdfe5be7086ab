package org.vitornado.model.image;

/**
 * A float image in planar layout {@code [channels, height, width]}, values as the pipeline leaves them: the
 * integers 0..255 of an 8-bit image after decoding and resizing (PIL keeps every step 8-bit), normalised at the end.
 */
public record Planar(int channels, int height, int width, float[] data) {

    public Planar {
        if (data.length != (long) channels * height * width) {
            throw new IllegalArgumentException("planar image data has " + data.length + " values, expected "
                    + channels + "x" + height + "x" + width);
        }
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** {@code PIL.Image.resize((outW, outH), filter)} (see {@link PilResize}). */
    public Planar resize(int outH, int outW, Interpolation filter) {
        return PilResize.resize(this, outH, outW, filter);
    }

    /**
     * torchvision's {@code center_crop}: an image smaller than the crop is first padded with zeros (the extra pixel
     * of an odd padding on the bottom and right); the window starts at {@code round((size - crop) / 2)}, rounding
     * half to even as Python does.
     */
    public Planar centerCrop(int outH, int outW) {
        int padTop = outH > height ? (outH - height) / 2 : 0;
        int padLeft = outW > width ? (outW - width) / 2 : 0;
        int paddedH = Math.max(height, outH);
        int paddedW = Math.max(width, outW);
        int top = (int) Math.rint((paddedH - outH) / 2.0) - padTop;
        int left = (int) Math.rint((paddedW - outW) / 2.0) - padLeft;
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outH; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= height) {
                    continue;
                }
                for (int x = 0; x < outW; x++) {
                    int sx = left + x;
                    if (sx >= 0 && sx < width) {
                        out[(c * outH + y) * outW + x] = data[(c * height + sy) * width + sx];
                    }
                }
            }
        }
        return new Planar(channels, outH, outW, out);
    }
}
