package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.MaskKernels;
import org.vitornado.kernels.PoolingKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.Tokens;

/** Reductions over an image's tokens: class-token and mean pooling, and Segmenter's class masks. Portable kernels everywhere. */
public final class PoolingOps {

    private PoolingOps() {
    }

    /** Row 0 of every image: {@code PoolingKernels.classToken}, grid 2D x = channel, y = image. */
    public static Step classToken(String name, Tokens x, Tokens out, Kernels k) {
        checkPooled(name, x, out);
        long n = (long) x.batch() * x.channels();
        return Step.kernel(name, "PoolingKernels.classToken", PoolingKernels.grid(x.batch(), x.channels()), TaskCost.of(0, n, n), List.of(x.data()),
                List.of(out.data()), KernelCall.of(PoolingKernels::classToken, k.context(), x.data(), out.data(), x.batch(), x.tokens(), x.channels()));
    }

    /** The mean of every image's tokens from {@code start} on: {@code PoolingKernels.meanTokens}, grid 2D x = channel, y = image. */
    public static Step meanTokens(String name, Tokens x, int start, Tokens out, Kernels k) {
        checkPooled(name, x, out);
        if (start < 0 || start >= x.tokens()) {
            throw new IllegalArgumentException("task " + name + ": mean from token " + start + " of " + x.tokens());
        }
        long read = (long) x.batch() * (x.tokens() - start) * x.channels();
        return Step.kernel(name, "PoolingKernels.meanTokens", PoolingKernels.grid(x.batch(), x.channels()),
                TaskCost.of(read, read, (long) x.batch() * x.channels()), List.of(x.data()), List.of(out.data()),
                KernelCall.of(PoolingKernels::meanTokens, k.context(), x.data(), out.data(), x.batch(), x.tokens(), start, x.channels()));
    }

    private static void checkPooled(String name, Tokens x, Tokens out) {
        if (out.batch() != x.batch() || out.tokens() != 1 || out.channels() != x.channels()) {
            throw new IllegalArgumentException("task " + name + ": pooling gives one row of " + x.channels() + " per image");
        }
    }

    /**
     * Cosine similarity of every patch with every class feature: out token t, channel c = cos(patch row
     * {@code patchStart + t}, class row {@code classStart + c}) of the same image. {@code MaskKernels.classMasks}, grid
     * 2D x = class, y = patch. Cost: {@code 6 dim} FLOPs per mask value.
     */
    public static Step classMasks(String name, Tokens patches, int patchStart, Tokens classes, int classStart, Tokens out, Kernels k) {
        int batch = out.batch();
        int tokens = out.tokens();
        int count = out.channels();
        int dim = patches.channels();
        if (patches.batch() != batch || classes.batch() != batch || classes.channels() != dim || patchStart + tokens > patches.tokens()
                || classStart + count > classes.tokens()) {
            throw new IllegalArgumentException("task " + name + ": class masks of " + tokens + " patches by " + count + " classes do not fit the features");
        }
        long n = (long) batch * tokens * count;
        List<Object> reads = patches == classes || patches.data() == classes.data() ? List.of(patches.data()) : List.of(patches.data(), classes.data());
        return Step.kernel(name, "MaskKernels.classMasks", MaskKernels.grid(batch, tokens, count),
                TaskCost.of(6 * n * dim, (long) batch * (tokens + count) * dim, n), reads, List.of(out.data()),
                KernelCall.of(MaskKernels::classMasks, k.context(), patches.data(), classes.data(), out.data(), batch, tokens, count, dim,
                        patches.tokens(), patchStart, classes.tokens(), classStart));
    }
}
