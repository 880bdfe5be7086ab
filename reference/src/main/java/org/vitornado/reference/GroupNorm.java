package org.vitornado.reference;

/**
 * {@code F.group_norm} on a channels-last map {@code [batch, height, width, channels]}: each image's channels split
 * into {@code groups} runs; every (image, group) is normalised by its mean and biased variance over pixels and
 * channels, eps inside the square root, then scaled and shifted per channel. Reference for {@code GroupNormKernels}.
 */
public final class GroupNorm {

    private GroupNorm() {
    }

    /** {@code act(groupNorm(x) + shortcut)}: {@code shortcut} may be {@code null}; ReLU when {@code relu}. */
    public static double[] groupNorm(float[] x, float[] weight, float[] bias, float[] shortcut, int batch, int pixels, int channels, int groups,
            double eps, boolean relu) {
        int per = channels / groups;
        double[] out = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        sum += x[(b * pixels + p) * channels + c];
                    }
                }
                double mean = sum / ((double) pixels * per);
                double squares = 0;
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        double d = x[(b * pixels + p) * channels + c] - mean;
                        squares += d * d;
                    }
                }
                double inv = 1 / Math.sqrt(squares / ((double) pixels * per) + eps);
                for (int p = 0; p < pixels; p++) {
                    for (int c = g * per; c < (g + 1) * per; c++) {
                        int i = (b * pixels + p) * channels + c;
                        double y = (x[i] - mean) * inv * weight[c] + bias[c] + (shortcut == null ? 0 : shortcut[i]);
                        out[i] = relu ? Math.max(y, 0) : y;
                    }
                }
            }
        }
        return out;
    }
}
