package org.vitornado.model.layers;

/**
 * Decomposed relative-position tables as detectron2's and timm's {@code get_rel_pos} use them: for a query and key
 * extent of S positions the table needs {@code 2S - 1} rows; a table of another length is resized with
 * {@code F.interpolate(mode='linear', align_corners=False)} along its rows. Done once, on the host, when a plan is built.
 */
public final class RelativePosition {

    private RelativePosition() {
    }

    /** {@code table [rows, dim]} resized to {@code 2 * size - 1} rows (returned as is when it already fits). */
    public static float[] forSize(float[] table, int dim, int size) {
        int in = table.length / dim;
        int out = 2 * size - 1;
        if (in == out) {
            return table;
        }
        float[] resized = new float[out * dim];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double s = Math.max(scale * (i + 0.5) - 0.5, 0);
            int i0 = (int) s;
            int i1 = Math.min(i0 + 1, in - 1);
            double l = s - i0;
            for (int d = 0; d < dim; d++) {
                resized[i * dim + d] = (float) ((1 - l) * table[i0 * dim + d] + l * table[i1 * dim + d]);
            }
        }
        return resized;
    }
}
