package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.PatchEmbedKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmPackedWeights;
import org.vitornado.runtime.jvm.JvmPatchEmbedKernels;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A ViT's patch embedding: the patch x patch stride-patch convolution of NCHW images, plus its bias and the grid's
 * position embedding, with the class token (its position already added) as row 0 of every image when there is one.
 * <ul>
 * <li>portable: {@code PatchEmbedKernels.patchEmbed}, grid 2D x = channel, y = token row;</li>
 * <li>JVM: {@code JvmPatchEmbedKernels.patchEmbed}, blocks of 48 token rows x 2 panels of packed filters, the linear
 * layers' GEMM.</li>
 * </ul>
 * Cost: {@code 2 patches (inChans patch^2) embed} FLOPs.
 */
public final class PatchEmbedOps {

    private PatchEmbedOps() {
    }

    /** {@code out} has {@code prefix + gridH * gridW} tokens per image (prefix 0 or 1); {@code pos} {@code [gridH * gridW, embed]}. */
    public static Step patchEmbed(String name, Image image, PatchEmbed p, FloatArray clsToken, FloatArray pos, Tokens out, Kernels k) {
        int gridH = image.height() / p.patch();
        int gridW = image.width() / p.patch();
        int prefix = out.tokens() - gridH * gridW;
        if (image.channels() != p.inChans() || out.channels() != p.embed() || out.batch() != image.batch() || prefix < 0 || prefix > 1) {
            throw new IllegalArgumentException("task " + name + ": patch embedding of " + image.channels() + "x" + image.height() + "x" + image.width()
                    + " images (patch " + p.patch() + ") into " + out.tokens() + " tokens of " + out.channels());
        }
        int batch = image.batch();
        long patches = (long) batch * gridH * gridW;
        long taps = (long) p.inChans() * p.patch() * p.patch();
        TaskCost cost = TaskCost.of(2 * patches * taps * p.embed(),
                (long) batch * p.inChans() * image.height() * image.width() + taps * p.embed() + (long) gridH * gridW * p.embed() + 2L * p.embed(),
                (long) out.rows() * p.embed());
        List<Object> reads = List.of(image.data(), p.weight(), p.bias(), clsToken, pos);
        List<Object> writes = List.of(out.data());
        if (k.cpu()) {
            JvmPackedWeights packed = k.packed(p.weight(), (int) taps, p.embed());
            return Step.kernel(name, "JvmPatchEmbedKernels.patchEmbed", JvmPatchEmbedKernels.grid(batch, out.tokens(), p.embed()), cost,
                    Kernels.replacing(reads, p.weight(), packed), writes,
                    KernelCall.of(JvmPatchEmbedKernels::patchEmbed, k.context(), image.data(), packed, p.bias(), clsToken, pos, out.data(), batch,
                            p.inChans(), image.height(), image.width(), p.patch(), p.embed(), gridH, gridW, prefix));
        }
        return Step.kernel(name, "PatchEmbedKernels.patchEmbed", PatchEmbedKernels.patchEmbedGrid(batch, out.tokens(), p.embed()), cost, reads, writes,
                KernelCall.of(PatchEmbedKernels::patchEmbed, k.context(), image.data(), p.weight(), p.bias(), clsToken, pos, out.data(), batch,
                        p.inChans(), image.height(), image.width(), p.patch(), p.embed(), gridH, gridW, prefix));
    }

    /**
     * The hybrid ViT's tokens from its projected feature map ({@code patches}, one row per map pixel): the class token,
     * then each row plus its position embedding ({@code pos [gridTokens, embed]}). {@code PatchEmbedKernels.embedTokens},
     * grid 2D x = channel, y = token row. Cost: one add per value.
     */
    public static Step embedTokens(String name, Tokens patches, FloatArray clsToken, FloatArray pos, Tokens out, Kernels k) {
        int prefix = out.tokens() - patches.tokens();
        if (patches.channels() != out.channels() || patches.batch() != out.batch() || prefix < 0 || prefix > 1
                || pos.getSize() != patches.tokens() * patches.channels()) {
            throw new IllegalArgumentException("task " + name + ": " + patches.tokens() + " feature-map rows of " + patches.channels() + " into "
                    + out.tokens() + " tokens of " + out.channels());
        }
        long n = (long) out.rows() * out.channels();
        return Step.kernel(name, "PatchEmbedKernels.embedTokens", PatchEmbedKernels.embedTokensGrid(out.batch(), out.tokens(), out.channels()),
                TaskCost.of(n, 2 * n, n), List.of(patches.data(), clsToken, pos), List.of(out.data()),
                KernelCall.of(PatchEmbedKernels::embedTokens, k.context(), patches.data(), clsToken, pos, out.data(), out.batch(), patches.tokens(),
                        out.channels(), prefix));
    }

    /** NCHW images to a channels-last map: {@code PatchEmbedKernels.channelsLast}, a {@code @Parallel} loop. */
    public static Step channelsLast(String name, Image image, FeatureMap out) {
        if (out.batch() != image.batch() || out.channels() != image.channels() || out.height() != image.height() || out.width() != image.width()) {
            throw new IllegalArgumentException("task " + name + ": the channels-last map must have the images' shape");
        }
        int n = out.data().getSize();
        return Step.parallel(name, "PatchEmbedKernels.channelsLast", n, TaskCost.of(0, n, n), List.of(image.data()), List.of(out.data()),
                KernelCall.of(PatchEmbedKernels::channelsLast, image.data(), out.data(), image.batch(), image.channels(), image.height(), image.width()));
    }
}
