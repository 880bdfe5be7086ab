package org.vitornado.reference;

/**
 * Segmenter's (and DEPICT's) class masks: the cosine similarity of every patch feature with every class feature, both
 * L2-normalised without epsilon.
 */
public final class ClassMasks {

    private ClassMasks() {
    }

    /**
     * {@code masks[b, t, k] = (p . c) / (|p| |c|)} with p = row {@code b * patchImageRows + patchStart + t} of
     * {@code patches} and c = row {@code b * classImageRows + classStart + k} of {@code classFeatures}, both
     * {@code dim} wide (the features stay where the decoder left them: in one shared buffer, DEPICT's 'sa', or apart,
     * 'ca'; {@code classImageRows = 0} shares one set of classes across the batch);
     * {@code masks [batch, tokens, classes]}. Reference for {@code MaskKernels.classMasks}.
     */
    public static double[] classMasks(float[] patches, float[] classFeatures, int batch, int tokens, int classes, int dim, int patchImageRows,
            int patchStart, int classImageRows, int classStart) {
        double[] out = new double[batch * tokens * classes];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < classes; k++) {
                    double pc = 0;
                    double pp = 0;
                    double cc = 0;
                    for (int d = 0; d < dim; d++) {
                        double p = patches[(b * patchImageRows + patchStart + t) * dim + d];
                        double c = classFeatures[(b * classImageRows + classStart + k) * dim + d];
                        pc += p * c;
                        pp += p * p;
                        cc += c * c;
                    }
                    out[(b * tokens + t) * classes + k] = pc / Math.sqrt(pp) / Math.sqrt(cc);
                }
            }
        }
        return out;
    }
}
