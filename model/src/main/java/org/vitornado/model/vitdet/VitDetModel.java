package org.vitornado.model.vitdet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.kernels.ConvKernels;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.sam.WindowedBlocks;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * detectron2's ViTDet as one task graph: the plain ViT backbone (absolute position embedding resized with plain
 * bicubic from the pretraining grid, window and global blocks with decomposed rel-pos) producing {@code last_feat},
 * then the simple feature pyramid (p2..p5 from deconvolutions, identity and max-pool, each followed by a 1x1 and a
 * 3x3 conv with channel LayerNorm) and p6 = max-pool(kernel 1, stride 2) of p5. Everything stays NHWC on the device;
 * outputs are handed back NCHW, as detectron2 returns them.
 */
public final class VitDetModel {

    private final VitDetConfig c;
    private final Tensors t;

    /** Tensors by detectron2's backbone names ({@code net.blocks.0...}), or a whole detector's ({@code backbone.net...}). */
    public VitDetModel(VitDetConfig config, Tensors tensors) {
        this.c = config;
        this.t = !tensors.placeholder() && tensors.contains(DETECTOR_PREFIX + "net.patch_embed.proj.weight")
                ? tensors.withPrefix(DETECTOR_PREFIX) : tensors;
    }

    /** Where a detectron2 detector (GeneralizedRCNN, ...) keeps its backbone. */
    static final String DETECTOR_PREFIX = "backbone.";

    public Plan plan(int batch, int height, int width, ExecutionOptions options) {
        return new Plan(batch, height, width, options);
    }

    /** One pyramid level (or the backbone output) on the device: NHWC data and its shape. */
    private record Level(String name, FloatArray data, int height, int width, int channels) {
    }

    /** A built ViTDet: run it, then read {@link #outputs()}. */
    public final class Plan implements FeatureMaps {

        private final int batch;
        private final FloatArray image;
        private final List<Level> levels = new ArrayList<>();
        private final GraphBuilder g;
        private final List<Object> weights = new ArrayList<>();
        private final PlanRunner runner;
        private final List<PlannedTask> tasks;

        Plan(int batch, int height, int width, ExecutionOptions options) {
            this.batch = batch;
            int gh = height / c.patch();
            int gw = width / c.patch();
            int e = c.embedDim();
            image = new FloatArray(batch * c.inChans() * height * width);
            FloatArray x = new FloatArray(batch * gh * gw * e);
            GridScheduler grids = new GridScheduler();
            g = GraphBuilder.forPlan("vitdet", grids, options);

            FloatArray patchW = t.load("net.patch_embed.proj.weight", e, c.inChans(), c.patch(), c.patch());
            FloatArray patchB = t.load("net.patch_embed.proj.bias", e);
            FloatArray noClass = new FloatArray(e);
            weights.addAll(List.of(patchW, patchB, noClass));
            g.patchEmbed("patch_embed", image, patchW, patchB, noClass, positionEmbedding(gh, gw), x, batch, c.inChans(), height, width,
                    c.patch(), e, gh, gw, 0);
            WindowedBlocks.add(g, t, "net.", new WindowedBlocks.Shape(e, c.numHeads(), c.mlpHidden(), c.depth(), c.window(),
                    Set.copyOf(c.globalBlocks()), c.qkvBias(), c.relPos(), c.eps(), c.residualBlocks()), x, batch, gh, gw, weights);
            Level last = new Level("last_feat", x, gh, gw, e);

            Level p5 = null;
            for (double scale : c.scales()) {
                int stage = (int) Math.round(Math.log(c.patch() / scale) / Math.log(2));
                Level level = pyramidLevel("simfp_" + stage, scale, last);
                levels.add(level);
                p5 = level;
            }
            if (c.topBlock() && p5 != null) {
                int oh = ConvKernels.outputSize(p5.height(), 1, 2, 0);
                int ow = ConvKernels.outputSize(p5.width(), 1, 2, 0);
                FloatArray p6 = new FloatArray(batch * oh * ow * c.outChannels());
                g.maxPool2d("p6", p5.data(), p6, batch, p5.height(), p5.width(), c.outChannels(), 1, 2, oh, ow);
                levels.add(new Level("p6", p6, oh, ow, c.outChannels()));
            }
            levels.add(last);
            g.weights(weights.toArray()).inputs(image).outputs(levels.stream().map(Level::data).toArray());
            tasks = g.tasks();
            runner = options == null ? null : new PlanRunner(List.of(g), grids, options);
        }

        /** The stored grid (class row dropped) resized with plain bicubic to the token grid, as detectron2's get_abs_pos. */
        private FloatArray positionEmbedding(int gh, int gw) {
            int e = c.embedDim();
            int grid = c.pretrainImg() / c.patch();
            FloatArray pos = new FloatArray(gh * gw * e);
            if (!c.absPos()) {
                weights.add(pos);
                return pos;
            }
            int classRows = c.pretrainClsToken() ? 1 : 0;
            FloatArray stored = t.load("net.pos_embed", 1, classRows + grid * grid, e);
            FloatArray gridRows = new FloatArray(grid * grid * e);
            if (!t.placeholder()) {
                gridRows.getSegment().copyFrom(stored.getSegment().asSlice((long) classRows * e * Float.BYTES, (long) grid * grid * e * Float.BYTES));
            }
            weights.add(gridRows);
            if (grid == gh && grid == gw) {
                return gridRows;
            }
            g.resampleBicubic("pos_embed.resample", gridRows, pos, grid, grid, gh, gw, e, 0, 0);
            return pos;
        }

        /** One SFP stage: the scale-specific layers, then 1x1 conv + LN and 3x3 conv + LN. */
        private Level pyramidLevel(String p, double scale, Level in) {
            int n = c.outChannels();
            Level cur = in;
            int next = 0;
            if (scale == 4.0) {
                cur = deconv(p + ".0", cur, cur.channels() / 2);
                cur = norm(p + ".1", cur, p + ".1");
                g.gelu(p + ".2", cur.data(), batch * cur.height() * cur.width() * cur.channels());
                cur = deconv(p + ".3", cur, cur.channels() / 2);
                next = 4;
            } else if (scale == 2.0) {
                cur = deconv(p + ".0", cur, cur.channels() / 2);
                next = 1;
            } else if (scale == 0.5) {
                int oh = ConvKernels.outputSize(cur.height(), 2, 2, 0);
                int ow = ConvKernels.outputSize(cur.width(), 2, 2, 0);
                FloatArray pooled = new FloatArray(batch * oh * ow * cur.channels());
                g.maxPool2d(p + ".0", cur.data(), pooled, batch, cur.height(), cur.width(), cur.channels(), 2, 2, oh, ow);
                cur = new Level(p, pooled, oh, ow, cur.channels());
                next = 1;
            }
            cur = conv(p + "." + next, cur, n, 1);
            cur = norm(p + "." + next + ".norm", cur, p + "." + next + ".norm");
            cur = conv(p + "." + (next + 1), cur, n, 3);
            cur = norm(p + "." + (next + 1) + ".norm", cur, p + "." + (next + 1) + ".norm");
            String name = "p" + (int) Math.round(Math.log(c.patch() / scale) / Math.log(2));
            return new Level(name, cur.data(), cur.height(), cur.width(), cur.channels());
        }

        private Level deconv(String name, Level in, int out) {
            FloatArray w = t.load(name + ".weight", in.channels(), out, 2, 2);
            FloatArray b = t.load(name + ".bias", out);
            weights.addAll(List.of(w, b));
            FloatArray y = new FloatArray(batch * 4 * in.height() * in.width() * out);
            g.convTranspose2x2(name, in.data(), w, b, y, batch, in.height(), in.width(), in.channels(), out);
            return new Level(name, y, 2 * in.height(), 2 * in.width(), out);
        }

        private Level conv(String name, Level in, int out, int kernelSize) {
            FloatArray w = t.load(name + ".weight", out, in.channels(), kernelSize, kernelSize);
            FloatArray b = t.loadOrZeros(name + ".bias", out);
            weights.addAll(List.of(w, b));
            FloatArray y = new FloatArray(batch * in.height() * in.width() * out);
            g.conv2d(name, in.data(), w, b, y, batch, in.height(), in.width(), in.channels(), out, kernelSize, 1, kernelSize / 2, 1,
                    in.height(), in.width());
            return new Level(name, y, in.height(), in.width(), out);
        }

        /** detectron2's channels-first LayerNorm is a row LayerNorm on NHWC data, in place. */
        private Level norm(String task, Level in, String params) {
            FloatArray w = t.load(params + ".weight", in.channels());
            FloatArray b = t.load(params + ".bias", in.channels());
            weights.addAll(List.of(w, b));
            g.layerNorm(task, in.data(), w, b, in.data(), batch * in.height() * in.width(), in.channels(), VitDetConfig.PYRAMID_EPS);
            return in;
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

        /** p2..p6 and last_feat, NCHW, by name. */
        @Override
        public Map<String, float[]> outputs() {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Level l : levels) {
                out.put(l.name(), WindowedBlocks.toNchw(l.data().toHeapArray(), batch, l.height(), l.width(), l.channels()));
            }
            return out;
        }

        /** {@code [channels, height, width]} of each output, by name. */
        @Override
        public Map<String, int[]> shapes() {
            Map<String, int[]> out = new LinkedHashMap<>();
            for (Level l : levels) {
                out.put(l.name(), new int[] {l.channels(), l.height(), l.width()});
            }
            return out;
        }

        @Override
        public void close() {
            if (runner != null) {
                runner.close();
            }
        }
    }
}
