package org.vitornado.model.sam;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.model.layers.PositionEmbedding;
import org.vitornado.model.layers.WindowedBlocks;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * timm's SAM image encoder, built for one (batch, height, width):
 * <pre>
 *   patch_embed(+pos, resampled if needed) -> blocks x depth:
 *       norm1 -> qkv -> window attention (global in the listed blocks, decomposed rel-pos) -> proj(+residual)
 *       -> norm2 -> fc1+GELU -> fc2(+residual)
 *   -> neck: conv1x1 -> LayerNorm2d -> conv3x3 -> LayerNorm2d -> [mean over positions]
 * </pre>
 * Tokens stay channels-last (NHWC) throughout, so the neck's convolutions and channel norms need no transpose.
 */
public final class SamVitModel {

    private final SamVitConfig c;
    private final Tensors t;

    public SamVitModel(SamVitConfig config, Tensors tensors) {
        this.c = config;
        this.t = tensors;
    }

    public SamVitConfig config() {
        return c;
    }

    /** The compiled encoder for {@code batch} images of {@code height x width}. */
    public Plan plan(int batch, int height, int width, ExecutionOptions options) {
        return new Plan(batch, height, width, options);
    }

    /** A built encoder: run it, then read {@link #tokens()}, {@link #neck()} and {@link #pooled()}. */
    public final class Plan extends FeatureMaps {

        private final FeatureMap x;
        private final FeatureMap neck;
        private final Tokens pooled;

        Plan(int batch, int height, int width, ExecutionOptions options) {
            super("sam", options, batch, c.inChans(), height, width);
            int gridH = height / c.patch();
            int gridW = width / c.patch();
            int e = c.embedDim();
            int n = c.neckChans();
            x = FeatureMap.allocate(batch, gridH, gridW, e);
            FeatureMap neck1 = FeatureMap.allocate(batch, gridH, gridW, n);
            neck = FeatureMap.allocate(batch, gridH, gridW, n);
            pooled = Tokens.allocate(batch, 1, n);

            PatchEmbed patch = new PatchEmbed(t.load("patch_embed.proj.weight", e, c.inChans(), c.patch(), c.patch()),
                    t.load("patch_embed.proj.bias", e), c.inChans(), e, c.patch());
            // timm resample_abs_pos_embed_nhwc: bicubic with antialias, in float32.
            FloatArray pos = PositionEmbedding.forGrid(g, c.absPos() ? t.load("pos_embed", 1, c.gridH(), c.gridW(), e) : null, 0, c.gridH(),
                    c.gridW(), gridH, gridW, e, ResampleOps.Filter.BICUBIC_ANTIALIAS);
            g.section("patch_embed").patchEmbed("patch_embed", image(), patch, new FloatArray(e), pos, x.tokens());

            WindowedBlocks.add(g, t, "", new WindowedBlocks.Shape(e, c.numHeads(), c.mlpHidden(), c.depth(), c.window(), c.globalBlocks(),
                    c.qkvBias(), c.relPos(), c.eps(), Set.of()), x);

            FloatArray noBias = new FloatArray(n);
            Conv2d conv1 = Conv2d.same(t.load("neck.0.weight", n, e, 1, 1), noBias, e, n, 1);
            LayerNorm norm1 = BlockWeights.norm(t, "neck.1", n, c.neckEps());
            Conv2d conv2 = Conv2d.same(t.load("neck.2.weight", n, n, 3, 3), noBias, n, n, 3);
            LayerNorm norm2 = BlockWeights.norm(t, "neck.3", n, c.neckEps());
            g.section("neck")
                    .conv2d("neck.0", x, conv1, neck1)
                    .layerNorm("neck.1", neck1.tokens(), norm1, neck1.tokens())
                    .conv2d("neck.2", neck1, conv2, neck)
                    .layerNorm("neck.3", neck.tokens(), norm2, neck.tokens())
                    .meanTokens("pool", neck.tokens(), 0, pooled);
            g.output(x.data(), neck.data(), pooled.data());
            compile();
        }

        /** Tokens before the neck, NHWC {@code [B, gridH, gridW, embed]}. */
        public float[] tokens() {
            return x.data().toHeapArray();
        }

        /** The neck's output, NCHW {@code [B, neckChans, gridH, gridW]} as PyTorch lays it out. */
        public float[] neck() {
            return neck.toNchw();
        }

        /** Mean of the neck over positions, {@code [B, neckChans]}. */
        public float[] pooled() {
            return pooled.data().toHeapArray();
        }

        /** {@code tokens} (the blocks' output) and {@code neck}, NCHW. */
        @Override
        public Map<String, float[]> outputs() {
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("tokens", x.toNchw());
            out.put("neck", neck());
            return out;
        }

        @Override
        public Map<String, int[]> shapes() {
            Map<String, int[]> out = new LinkedHashMap<>();
            out.put("tokens", new int[] {c.embedDim(), x.height(), x.width()});
            out.put("neck", new int[] {c.neckChans(), x.height(), x.width()});
            return out;
        }
    }
}
