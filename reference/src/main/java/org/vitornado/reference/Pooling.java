package org.vitornado.reference;

/** Reducing each image's tokens to one vector, as timm's {@code global_pool}: its class token, or a mean of tokens. */
public final class Pooling {

    private Pooling() {
    }

    /**
     * {@code out[b, c] = x[b, 0, c]} (timm's {@code global_pool="token"}); {@code x [batch, tokens, channels]},
     * {@code out [batch, channels]}. Reference for {@code PoolingKernels.classToken}.
     */
    public static double[] classToken(float[] x, int batch, int tokens, int channels) {
        double[] out = new double[batch * channels];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                out[b * channels + c] = x[b * tokens * channels + c];
            }
        }
        return out;
    }

    /**
     * {@code out[b, c] = sum_{t = start}^{tokens - 1} x[b, t, c] / (tokens - start)} (timm's {@code global_pool="avg"},
     * {@code start} = the prefix tokens skipped); {@code x [batch, tokens, channels]}, {@code out [batch, channels]}.
     * Reference for {@code PoolingKernels.meanTokens}.
     */
    public static double[] meanTokens(float[] x, int batch, int tokens, int start, int channels) {
        double[] out = new double[batch * channels];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                for (int t = start; t < tokens; t++) {
                    out[b * channels + c] += x[(b * tokens + t) * channels + c] / (double) (tokens - start);
                }
            }
        }
        return out;
    }
}
