package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.PatchEmbed;
import org.vitornado.reference.Pooling;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Patch embedding (strided conv + bias + pos + class token) and token pooling against float64 ({@link PatchEmbed},
 * {@link Pooling}).
 */
class PatchEmbedAndPoolingKernelsTest {

    @ParameterizedTest(name = "batch={0} {2}x{3} patch={4} embed={5} prefix={6}")
    @CsvSource({"1,3,64,64,16,96,1", "2,3,50,37,8,20,0", "1,1,17,9,4,5,1"})
    void patchEmbedMatchesFloat64(int batch, int chans, int height, int width, int patch, int embed, int prefix) {
        Random r = new Random(height * 100L + width);
        int gh = height / patch;
        int gw = width / patch;
        int t = prefix + gh * gw;
        float[] image = random(r, batch * chans * height * width, 1);
        float[] w = random(r, embed * chans * patch * patch, 0.1);
        float[] bias = random(r, embed, 0.2);
        float[] cls = random(r, embed, 0.5);
        float[] pos = random(r, gh * gw * embed, 0.5);
        double[] want = PatchEmbed.patchEmbed(image, w, bias, cls, pos, batch, chans, height, width, patch, embed, prefix);
        FloatArray fi = FloatArray.fromArray(image);
        FloatArray fw = FloatArray.fromArray(w);
        FloatArray fb = FloatArray.fromArray(bias);
        FloatArray fc = FloatArray.fromArray(cls);
        FloatArray fp = FloatArray.fromArray(pos);
        FloatArray out = output(batch * t * embed);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(PatchEmbedKernels.patchEmbedGrid(batch, t, embed), new Object[] {fi, fw, fb, fc, fp}, out,
                g -> g.task("t", PatchEmbedKernels::patchEmbed, ctx, fi, fw, fb, fc, fp, out,
                        batch, chans, height, width, patch, embed, gh, gw, prefix));
        assertClose("patchEmbed", out, want, 1e-5);
    }

    @ParameterizedTest(name = "batch={0} tokens={1} channels={2} start={3}")
    @CsvSource({"1,17,96,1", "3,35,33,0", "2,1,5,0"})
    void poolingMatchesFloat64(int batch, int tokens, int channels, int start) {
        Random r = new Random(batch + tokens + channels);
        float[] x = random(r, batch * tokens * channels, 1);
        double[] cls = Pooling.classToken(x, batch, tokens, channels);
        double[] mean = Pooling.meanTokens(x, batch, tokens, start, channels);
        FloatArray fx = FloatArray.fromArray(x);
        KernelContext ctx = new KernelContext();
        FloatArray outCls = output(batch * channels);
        KernelHarness.run(PoolingKernels.grid(batch, channels), new Object[] {fx}, outCls,
                g -> g.task("t", PoolingKernels::classToken, ctx, fx, outCls, batch, tokens, channels));
        assertClose("classToken", outCls, cls, 1e-7);
        FloatArray outMean = output(batch * channels);
        KernelHarness.run(PoolingKernels.grid(batch, channels), new Object[] {fx}, outMean,
                g -> g.task("t", PoolingKernels::meanTokens, ctx, fx, outMean, batch, tokens, start, channels));
        assertClose("meanTokens", outMean, mean, 1e-6);
    }

    /** The hybrid ViT's token assembly: class token (or none), then projected map rows plus position. */
    @ParameterizedTest(name = "batch={0} gridTokens={1} embed={2} prefix={3}")
    @CsvSource({"1,16,48,1", "2,30,17,1", "3,7,5,0", "1,1,1,1"})
    void embedTokensMatchesFloat64(int batch, int gridTokens, int embed, int prefix) {
        Random r = new Random(gridTokens * 7L + embed + prefix);
        float[] patches = random(r, batch * gridTokens * embed, 1);
        float[] cls = random(r, embed, 1);
        float[] pos = random(r, gridTokens * embed, 1);
        double[] want = PatchEmbed.embedTokens(patches, cls, pos, batch, gridTokens, embed, prefix);
        FloatArray fp = FloatArray.fromArray(patches);
        FloatArray fc = FloatArray.fromArray(cls);
        FloatArray fpos = FloatArray.fromArray(pos);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(PatchEmbedKernels.embedTokensGrid(batch, prefix + gridTokens, embed), new Object[] {fp, fc, fpos}, out,
                g -> g.task("t", PatchEmbedKernels::embedTokens, ctx, fp, fc, fpos, out, batch, gridTokens, embed, prefix));
        assertClose("embedTokens", out, want, 1e-7);
    }

    @ParameterizedTest(name = "batch={0} channels={1} {2}x{3}")
    @CsvSource({"1,3,5,7", "2,3,64,64", "2,1,3,2"})
    void channelsLastMatchesFloat64(int batch, int channels, int height, int width) {
        Random r = new Random(height * 3L + width + channels);
        float[] image = random(r, batch * channels * height * width, 1);
        double[] want = PatchEmbed.channelsLast(image, batch, channels, height, width);
        FloatArray fi = FloatArray.fromArray(image);
        FloatArray out = output(want.length);
        uk.ac.manchester.tornado.api.TaskGraph g = new uk.ac.manchester.tornado.api.TaskGraph("g")
                .transferToDevice(uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION, fi)
                .task("t", PatchEmbedKernels::channelsLast, fi, out, batch, channels, height, width)
                .transferToHost(uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION, out);
        try (uk.ac.manchester.tornado.api.TornadoExecutionPlan plan = new uk.ac.manchester.tornado.api.TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertClose("channelsLast", out, want, 1e-12);
    }
}
