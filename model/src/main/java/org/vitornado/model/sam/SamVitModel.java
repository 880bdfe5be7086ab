package org.vitornado.model.sam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * timm's SAM image encoder as one task graph, built for one (batch, height, width):
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
    public final class Plan implements FeatureMaps {

        public final int batch;
        public final int gridH;
        public final int gridW;
        private final FloatArray image;
        private final FloatArray x;
        private final FloatArray neck;
        private final FloatArray pooled;
        private final List<PlannedTask> tasks;
        private final PlanRunner runner;

        Plan(int batch, int height, int width, ExecutionOptions options) {
            this.batch = batch;
            this.gridH = height / c.patch();
            this.gridW = width / c.patch();
            int e = c.embedDim();
            int tokens = gridH * gridW;
            int rows = batch * tokens;
            int n = c.neckChans();
            image = new FloatArray(batch * c.inChans() * height * width);
            x = new FloatArray(rows * e);
            FloatArray neck1 = new FloatArray(rows * n);
            neck = new FloatArray(rows * n);
            pooled = new FloatArray(batch * n);

            GridScheduler grids = new GridScheduler();
            GraphBuilder g = GraphBuilder.forPlan("sam", grids, options);
            List<Object> weights = new ArrayList<>();
            FloatArray patchW = t.load("patch_embed.proj.weight", e, c.inChans(), c.patch(), c.patch());
            FloatArray patchB = t.load("patch_embed.proj.bias", e);
            FloatArray noClass = new FloatArray(e);
            weights.addAll(List.of(patchW, patchB, noClass));
            FloatArray pos;
            if (!c.absPos()) {
                pos = new FloatArray(tokens * e);
                weights.add(pos);
            } else {
                FloatArray stored = t.load("pos_embed", 1, c.gridH(), c.gridW(), e);
                weights.add(stored);
                pos = stored;
                if (gridH != c.gridH() || gridW != c.gridW()) {
                    // timm resample_abs_pos_embed_nhwc: bicubic with antialias, in float32.
                    pos = new FloatArray(tokens * e);
                    g.resampleBicubicAntialias("pos_embed.resample", stored, pos, c.gridH(), c.gridW(), gridH, gridW, e, 0, 0);
                }
            }
            g.patchEmbed("patch_embed", image, patchW, patchB, noClass, pos, x, batch, c.inChans(), height, width, c.patch(), e,
                    gridH, gridW, 0);

            WindowedBlocks.add(g, t, "", new WindowedBlocks.Shape(e, c.numHeads(), c.mlpHidden(), c.depth(), c.window(),
                    c.globalBlocks(), c.qkvBias(), c.relPos(), c.eps(), Set.of()), x, batch, gridH, gridW, weights);

            FloatArray conv1 = t.load("neck.0.weight", n, e, 1, 1);
            FloatArray norm1W = t.load("neck.1.weight", n);
            FloatArray norm1B = t.load("neck.1.bias", n);
            FloatArray conv2 = t.load("neck.2.weight", n, n, 3, 3);
            FloatArray norm2W = t.load("neck.3.weight", n);
            FloatArray norm2B = t.load("neck.3.bias", n);
            FloatArray noBias = new FloatArray(n);
            weights.addAll(List.of(conv1, norm1W, norm1B, conv2, norm2W, norm2B, noBias));
            g.conv2d("neck.0", x, conv1, noBias, neck1, batch, gridH, gridW, e, n, 1, 1, 0, 1, gridH, gridW)
                    .layerNorm("neck.1", neck1, norm1W, norm1B, neck1, rows, n, c.neckEps())
                    .conv2d("neck.2", neck1, conv2, noBias, neck, batch, gridH, gridW, n, n, 3, 1, 1, 1, gridH, gridW)
                    .layerNorm("neck.3", neck, norm2W, norm2B, neck, rows, n, c.neckEps())
                    .meanTokens("pool", neck, pooled, batch, tokens, 0, n);

            g.weights(weights.toArray()).inputs(image).outputs(x, neck, pooled);
            tasks = g.tasks();
            runner = options == null ? null : new PlanRunner(List.of(g), grids, options);
        }

        /** Runs the encoder on NCHW pixels. */
        @Override
        public void run(float[] pixels) {
            if (pixels.length != image.getSize()) {
                throw new IllegalArgumentException("input has " + pixels.length + " values, expected " + image.getSize());
            }
            if (runner == null) {
                throw new IllegalStateException("this plan was built for inspection only (no execution options)");
            }
            image.getSegment().copyFrom(java.lang.foreign.MemorySegment.ofArray(pixels));
            runner.run();
        }

        /** Tokens before the neck, NHWC {@code [B, gridH, gridW, embed]}. */
        public float[] tokens() {
            return x.toHeapArray();
        }

        /** The neck's output, NCHW {@code [B, neckChans, gridH, gridW]} as PyTorch lays it out. */
        public float[] neck() {
            return WindowedBlocks.toNchw(neck.toHeapArray(), batch, gridH, gridW, c.neckChans());
        }

        /** Mean of the neck over positions, {@code [B, neckChans]}. */
        public float[] pooled() {
            return pooled.toHeapArray();
        }

        /** {@code tokens} (the blocks' output) and {@code neck}, NCHW. */
        @Override
        public Map<String, float[]> outputs() {
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("tokens", WindowedBlocks.toNchw(tokens(), batch, gridH, gridW, c.embedDim()));
            out.put("neck", neck());
            return out;
        }

        @Override
        public Map<String, int[]> shapes() {
            Map<String, int[]> out = new LinkedHashMap<>();
            out.put("tokens", new int[] {c.embedDim(), gridH, gridW});
            out.put("neck", new int[] {c.neckChans(), gridH, gridW});
            return out;
        }

        @Override
        public org.vitornado.runtime.PlanRunner runner() {
            return runner;
        }

        @Override
        public List<PlannedTask> tasks() {
            return tasks;
        }

        @Override
        public void close() {
            if (runner != null) {
                runner.close();
            }
        }
    }
}
