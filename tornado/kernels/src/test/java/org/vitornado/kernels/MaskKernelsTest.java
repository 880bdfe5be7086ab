package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.ClassMasks;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Class masks against float64 cosine similarities ({@link ClassMasks}), with features in a shared buffer (DEPICT 'sa')
 * or apart ('ca').
 */
class MaskKernelsTest {

    @ParameterizedTest(name = "batch={0} tokens={1} classes={2} dim={3} patches {4}+{5} classes {6}+{7}")
    @CsvSource({"1,16,5,64,21,0,21,16", "2,16,5,64,16,0,5,0", "2,35,3,7,35,0,0,0", "3,9,150,33,10,1,150,0"})
    void classMasksAreCosineSimilarities(int batch, int tokens, int classes, int dim, int patchImageRows, int patchStart,
            int classImageRows, int classStart) {
        Random r = new Random(tokens * 13L + classes);
        float[] patches = random(r, batch * patchImageRows * dim, 2);
        int classRows = classImageRows == 0 ? classes : batch * classImageRows;
        float[] cls = random(r, classRows * dim, 0.5);
        double[] want = ClassMasks.classMasks(patches, cls, batch, tokens, classes, dim, patchImageRows, patchStart, classImageRows, classStart);
        FloatArray fp = FloatArray.fromArray(patches);
        FloatArray fc = FloatArray.fromArray(cls);
        FloatArray out = output(batch * tokens * classes);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(MaskKernels.grid(batch, tokens, classes), new Object[] {fp, fc}, out,
                t -> t.task("t", MaskKernels::classMasks, ctx, fp, fc, out, batch, tokens, classes, dim, patchImageRows, patchStart,
                        classImageRows, classStart));
        assertClose("classMasks", out, want, 1e-6);
    }
}
