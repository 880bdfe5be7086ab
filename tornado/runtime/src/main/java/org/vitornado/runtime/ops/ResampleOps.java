package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.ResampleKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmResampleKernels;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;

/** Resizing channels-last maps as PyTorch's {@code F.interpolate} does. */
public final class ResampleOps {

    /** The interpolation of a position-embedding grid. */
    public enum Filter {
        /** timm's {@code resample_abs_pos_embed}: bicubic with antialias (a = -0.5, PIL's kernel). */
        BICUBIC_ANTIALIAS,
        /** Plain bicubic, a = -0.75 (detectron2, Hugging Face, mmsegmentation). */
        BICUBIC,
        /** Bilinear, align_corners=False. */
        BILINEAR
    }

    private ResampleOps() {
    }

    /**
     * Bilinear resize of {@code in} to {@code fullH x fullW}, of which the top-left {@code out.height() x out.width()}
     * is written into channels {@code [channelOffset, channelOffset + in.channels())} of {@code out} (a crop, and a
     * slice of a concatenation).
     * <ul>
     * <li>portable: {@code ResampleKernels.bilinear}, grid 2D x = channel, y = output pixel;</li>
     * <li>JVM: {@code JvmResampleKernels.bilinear}, grid 2D y = block of output pixels, all channels each.</li>
     * </ul>
     * Cost: about 8 FLOPs per output value.
     */
    public static Step bilinear(String name, FeatureMap in, int fullH, int fullW, FeatureMap out, int channelOffset, boolean alignCorners, Kernels k) {
        if (in.batch() != out.batch() || out.height() > fullH || out.width() > fullW || channelOffset < 0
                || channelOffset + in.channels() > out.channels()) {
            throw new IllegalArgumentException("task " + name + ": cannot resize " + in.height() + "x" + in.width() + "x" + in.channels() + " to "
                    + fullH + "x" + fullW + " into " + out.height() + "x" + out.width() + "x" + out.channels() + " at channel " + channelOffset);
        }
        int batch = in.batch();
        long n = (long) batch * out.height() * out.width() * in.channels();
        TaskCost cost = TaskCost.of(8 * n, 4 * n, n);
        List<Object> reads = List.of(in.data());
        List<Object> writes = List.of(out.data());
        int align = alignCorners ? 1 : 0;
        if (k.cpu()) {
            return Step.kernel(name, "JvmResampleKernels.bilinear", JvmResampleKernels.grid(batch, out.height(), out.width()), cost, reads, writes,
                    KernelCall.of(JvmResampleKernels::bilinear, k.context(), in.data(), out.data(), batch, in.height(), in.width(), fullH, fullW,
                            out.height(), out.width(), in.channels(), align, out.channels(), channelOffset));
        }
        return Step.kernel(name, "ResampleKernels.bilinear", ResampleKernels.bilinearGrid(batch, out.height(), out.width(), in.channels()), cost,
                reads, writes, KernelCall.of(ResampleKernels::bilinear, k.context(), in.data(), out.data(), batch, in.height(), in.width(), fullH,
                        fullW, out.height(), out.width(), in.channels(), align, out.channels(), channelOffset));
    }

    /**
     * Resizes one grid (a position embedding) with {@code filter}: {@code ResampleKernels.bicubicAntialias} or
     * {@code bicubic}, grid 2D x = channel, y = output position (on the JVM, plain bicubic is
     * {@code JvmResampleKernels.bicubic}: blocks of 64 positions, SIMD over channels); bilinear as {@link #bilinear}. Cost: about 32 FLOPs
     * per output value.
     */
    public static Step grid(String name, FeatureMap in, FeatureMap out, Filter filter, Kernels k) {
        if (in.batch() != 1 || out.batch() != 1 || in.channels() != out.channels()) {
            throw new IllegalArgumentException("task " + name + ": a grid resample maps one grid to one grid of the same width");
        }
        if (filter == Filter.BILINEAR) {
            return bilinear(name, in, out.height(), out.width(), out, 0, false, k);
        }
        int c = in.channels();
        long n = (long) out.rows() * c;
        TaskCost cost = TaskCost.of(32 * n, (long) in.rows() * c, n);
        boolean antialias = filter == Filter.BICUBIC_ANTIALIAS;
        if (k.cpu() && !antialias) {
            return Step.kernel(name, "JvmResampleKernels.bicubic", JvmResampleKernels.grid(1, out.height(), out.width()), cost, List.of(in.data()),
                    List.of(out.data()), KernelCall.of(JvmResampleKernels::bicubic, k.context(), in.data(), out.data(), in.height(), in.width(),
                            out.height(), out.width(), c, 0, 0));
        }
        KernelCall call = antialias
                ? KernelCall.of(ResampleKernels::bicubicAntialias, k.context(), in.data(), out.data(), in.height(), in.width(), out.height(),
                        out.width(), c, 0, 0)
                : KernelCall.of(ResampleKernels::bicubic, k.context(), in.data(), out.data(), in.height(), in.width(), out.height(), out.width(), c,
                        0, 0);
        return Step.kernel(name, antialias ? "ResampleKernels.bicubicAntialias" : "ResampleKernels.bicubic",
                ResampleKernels.grid(out.height(), out.width(), c), cost, List.of(in.data()), List.of(out.data()), call);
    }
}
