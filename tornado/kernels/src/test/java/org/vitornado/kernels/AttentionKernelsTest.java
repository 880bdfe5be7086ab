package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.Attention;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Online-softmax attention (versions 1 and 2) against the textbook form in float64 ({@link Attention}): the full score
 * row, softmax, then times V.
 */
class AttentionKernelsTest {

    @ParameterizedTest(name = "batch={0} tokens={1} heads={2} headDim={3}")
    @CsvSource({"1,1,1,16", "1,17,3,32", "2,35,4,16", "1,197,2,64", "3,10,5,7", "1,70,1,128", "2,33,2,80"})
    void attentionMatchesFloat64(int batch, int tokens, int heads, int headDim) {
        Random r = new Random(batch * 1000L + tokens * 10L + heads + headDim);
        int c = heads * headDim;
        float[] qkv = random(r, batch * tokens * 3 * c, 2);
        double scale = 1 / Math.sqrt(headDim);
        double[] want = Attention.attention(qkv, batch, tokens, heads, headDim, scale);
        FloatArray fqkv = FloatArray.fromArray(qkv);
        FloatArray out = output(batch * tokens * c);
        KernelContext ctx = new KernelContext();
        float s = (float) scale;
        KernelHarness.run(AttentionKernels.grid(batch, tokens, heads), new Object[] {fqkv}, out,
                t -> t.task("t", AttentionKernels::attention, ctx, fqkv, out, batch, tokens, heads, headDim, s));
        assertClose("attention", out, want, 1e-5);
        // Version 2 takes the packed rows as q = kv with stride 3C and offsets 0, C, 2C.
        FloatArray flash = output(batch * tokens * c);
        KernelHarness.run(FlashAttentionKernels.grid(batch, tokens, heads), new Object[] {fqkv}, flash,
                t -> t.task("t", FlashAttentionKernels::attention, ctx, fqkv, fqkv, flash, batch, tokens, tokens, heads, headDim, 3 * c, 0, 3 * c, c,
                        2 * c, s));
        assertClose("flash attention (packed)", flash, want, 1e-5);
    }

    /** Queries and keys/values in separate arrays with strides and offsets: shared q=k=v, SegFormer's kv, cross-attention. */
    @ParameterizedTest(name = "batch={0} queries={1} keys={2} heads={3} headDim={4} qStride={5} qOff={6} kvStride={7} kOff={8} vOff={9}")
    @CsvSource({"1,5,5,4,50,200,0,200,0,0", "2,64,1,1,16,16,0,32,0,16", "2,3,17,2,7,20,3,33,1,17", "1,21,21,4,100,400,0,400,0,0",
            "3,13,4,5,3,15,0,30,0,15"})
    void attentionSeparateMatchesFloat64(int batch, int queries, int keys, int heads, int headDim, int qStride, int qOffset,
            int kvStride, int kOffset, int vOffset) {
        Random r = new Random(queries * 100L + keys + heads);
        int c = heads * headDim;
        float[] q = random(r, batch * queries * qStride, 2);
        float[] kv = random(r, batch * keys * kvStride, 2);
        double scale = 1 / Math.sqrt(headDim);
        double[] want = Attention.attentionSeparate(q, kv, batch, queries, keys, heads, headDim, qStride, qOffset, kvStride, kOffset, vOffset,
                scale);
        FloatArray fq = FloatArray.fromArray(q);
        FloatArray fkv = FloatArray.fromArray(kv);
        FloatArray out = output(batch * queries * c);
        KernelContext ctx = new KernelContext();
        float s = (float) scale;
        KernelHarness.run(AttentionKernels.separateGrid(batch, queries, heads), new Object[] {fq, fkv}, out,
                t -> t.task("t", AttentionKernels::attentionSeparate, ctx, fq, fkv, out, batch, queries, keys, heads, headDim, qStride,
                        qOffset, kvStride, kOffset, vOffset, s));
        assertClose("attentionSeparate", out, want, 1e-5);

        FloatArray flash = output(batch * queries * c);
        KernelHarness.run(FlashAttentionKernels.grid(batch, queries, heads), new Object[] {fq, fkv}, flash,
                t -> t.task("t", FlashAttentionKernels::attention, ctx, fq, fkv, flash, batch, queries, keys, heads, headDim, qStride, qOffset,
                        kvStride, kOffset, vOffset, s));
        assertClose("flash attention (separate)", flash, want, 1e-5);
    }
}
