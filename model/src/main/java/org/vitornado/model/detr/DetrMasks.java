package org.vitornado.model.detr;

/**
 * DETR's padding masks (1 = padding): the pixel mask of a batch padded at the bottom and right
 * ({@code util.misc.nested_tensor_from_tensor_list}) and its feature-map mask,
 * {@code F.interpolate(mask[None].float(), size=(h, w))[0]}: mode nearest, source index
 * {@code min(floor(dst * (float) (in / out)), in - 1)} (PyTorch's float32 scale). It is not {@code ceil(valid / 32)}.
 */
public final class DetrMasks {

    private DetrMasks() {
    }

    /** The pixel mask {@code [batch, height, width]} of images of {@code sizes[b] = {h, w}} padded to {@code height x width}. */
    public static float[] pixelMask(int[][] sizes, int height, int width) {
        float[] mask = new float[sizes.length * height * width];
        for (int b = 0; b < sizes.length; b++) {
            if (sizes[b][0] < 1 || sizes[b][1] < 1 || sizes[b][0] > height || sizes[b][1] > width) {
                throw new IllegalArgumentException("image " + b + " of " + sizes[b][0] + "x" + sizes[b][1] + " does not fit the padded " + height + "x" + width);
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    mask[(b * height + y) * width + x] = y < sizes[b][0] && x < sizes[b][1] ? 0 : 1;
                }
            }
        }
        return mask;
    }

    /** The nearest-neighbour resize of {@code mask [batch, height, width]} to {@code [batch, h, w]}, as PyTorch computes it. */
    public static float[] featureMask(float[] mask, int batch, int height, int width, int h, int w) {
        float scaleH = (float) height / h;
        float scaleW = (float) width / w;
        float[] out = new float[batch * h * w];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < h; y++) {
                int sy = Math.min((int) Math.floor(y * scaleH), height - 1);
                for (int x = 0; x < w; x++) {
                    int sx = Math.min((int) Math.floor(x * scaleW), width - 1);
                    out[(b * h + y) * w + x] = mask[(b * height + sy) * width + sx];
                }
            }
        }
        return out;
    }
}
