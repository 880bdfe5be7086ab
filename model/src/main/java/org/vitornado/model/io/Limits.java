package org.vitornado.model.io;

/**
 * Upper bounds on what a config or a command line may ask for. A hostile or mistyped value (an {@code img_size} of
 * 100000, a {@code depth} of a million) fails at once with a message naming it, before any arithmetic can overflow
 * or any memory is reserved. The bounds are far above every published model: SAM and ViTDet run at 1024, ViT-g has
 * 40 blocks of width 1408.
 */
public final class Limits {

    /** Largest model input side, in pixels. */
    public static final int MAX_SIDE = 8192;

    /** Largest number of blocks (transformer blocks, stages, head convs). */
    public static final int MAX_DEPTH = 1024;

    /** Largest channel or token width. */
    public static final int MAX_WIDTH = 65_536;

    /** Largest number of classes. */
    public static final int MAX_CLASSES = 1 << 20;

    /** Largest batch. */
    public static final int MAX_BATCH = 65_536;

    private Limits() {
    }

    /**
     * The geometry of a transformer, checked against the bounds before anything is sized from it: an
     * {@link IllegalArgumentException} naming the first key out of range (its reader adds the file).
     */
    public static void architecture(int imgH, int imgW, int patch, int inChans, int embedDim, int depth, int numHeads, int mlpHidden) {
        bound("img_size", imgH, 1, MAX_SIDE);
        bound("img_size", imgW, 1, MAX_SIDE);
        bound("patch_size", patch, 1, MAX_SIDE);
        bound("in_chans", inChans, 1, 64);
        bound("embed_dim", embedDim, 1, MAX_WIDTH);
        bound("depth", depth, 0, MAX_DEPTH);
        bound("num_heads", numHeads, 1, MAX_WIDTH);
        bound("MLP width", mlpHidden, 1, 16L * MAX_WIDTH);
    }

    /** {@code value} within {@code [min, max]}, else an {@link IllegalArgumentException} naming {@code key}. */
    public static void bound(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", got " + value);
        }
    }

    /** {@code value}, or an error naming {@code what} when it is outside {@code [min, max]}. */
    public static int check(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ModelException(what + " must be between " + min + " and " + max + ", got " + value);
        }
        return (int) value;
    }

    /** A model input side: 1 .. {@link #MAX_SIDE}. */
    public static int side(String what, double value) {
        if (!(value >= 1 && value <= MAX_SIDE) || value != Math.rint(value)) {
            throw new ModelException(what + " must be a whole number of pixels between 1 and " + MAX_SIDE + ", got " + format(value));
        }
        return (int) value;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
