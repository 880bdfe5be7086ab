package org.vitornado.model.vitdet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.model.layers.PositionEmbedding;
import org.vitornado.model.layers.WindowedBlocks;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.ConvTranspose2x2;
import org.vitornado.runtime.nn.MaxPool2d;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Image;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * detectron2's ViTDet: the plain ViT backbone (absolute position embedding resized with plain bicubic from the
 * pretraining grid, window and global blocks with decomposed rel-pos) producing {@code last_feat}, then the simple
 * feature pyramid (p2..p5 from deconvolutions, identity and max-pool, each followed by a 1x1 and a 3x3 conv with
 * channel LayerNorm) and p6 = max-pool(kernel 1, stride 2) of p5. Everything stays NHWC on the device; outputs are
 * handed back NCHW, as detectron2 returns them.
 */
public final class VitDetModel {

    private final VitDetConfig c;
    private final Tensors t;

    /** Tensors by detectron2's backbone names, or a whole detector's (see {@link VitDetCheckpoint}). */
    public VitDetModel(VitDetConfig config, Tensors tensors) {
        this.c = config;
        this.t = VitDetCheckpoint.backboneNames(tensors);
    }

    public Plan plan(int batch, int height, int width, ExecutionOptions options) {
        return new Plan(batch, height, width, options);
    }

    /** One pyramid level (or the backbone output) on the device, by name. */
    private record Level(String name, FeatureMap map) {
    }

    /**
     * Adds the backbone's layers to {@code g}, reading {@code image} ({@code [batch, C, height, width]} NCHW):
     * returns p2..p5 (and p6 with the top block) then {@code last_feat}, channels-last on the device, by name. A
     * detector builds on these in the same plan.
     */
    public Map<String, FeatureMap> addTo(PlanBuilder g, Image image) {
        Map<String, FeatureMap> out = new LinkedHashMap<>();
        for (Level l : new Layers(g, image.batch()).add(image)) {
            out.put(l.name(), l.map());
        }
        return out;
    }

    /** A built ViTDet: run it, then read {@link #outputs()}. */
    public final class Plan extends FeatureMaps {

        private final List<Level> levels;

        Plan(int batch, int height, int width, ExecutionOptions options) {
            super("vitdet", options, batch, c.inChans(), height, width);
            levels = new Layers(g, batch).add(image());
            levels.forEach(l -> g.output(l.map().data()));
            compile();
        }

        /** p2..p6 and last_feat, NCHW, by name. */
        @Override
        public Map<String, float[]> outputs() {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Level l : levels) {
                out.put(l.name(), l.map().toNchw());
            }
            return out;
        }

        /** {@code [channels, height, width]} of each output, by name. */
        @Override
        public Map<String, int[]> shapes() {
            Map<String, int[]> out = new LinkedHashMap<>();
            for (Level l : levels) {
                out.put(l.name(), new int[] {l.map().channels(), l.map().height(), l.map().width()});
            }
            return out;
        }
    }

    /** The backbone's layers, added to a plan builder for one batch size. */
    private final class Layers {

        private final PlanBuilder g;
        private final int batch;

        Layers(PlanBuilder g, int batch) {
            this.g = g;
            this.batch = batch;
        }

        List<Level> add(Image image) {
            List<Level> levels = new ArrayList<>();
            int gh = image.height() / c.patch();
            int gw = image.width() / c.patch();
            int e = c.embedDim();
            FeatureMap x = FeatureMap.allocate(batch, gh, gw, e);

            PatchEmbed patch = new PatchEmbed(t.load("net.patch_embed.proj.weight", e, c.inChans(), c.patch(), c.patch()),
                    t.load("net.patch_embed.proj.bias", e), c.inChans(), e, c.patch());
            int grid = c.pretrainImg() / c.patch();
            // detectron2 get_abs_pos: the class row dropped, the grid resized with plain bicubic.
            FloatArray pos = PositionEmbedding.forGrid(g, c.absPos() ? t.load("net.pos_embed", 1, (c.pretrainClsToken() ? 1 : 0) + grid * grid, e) : null,
                    c.pretrainClsToken() ? 1 : 0, grid, grid, gh, gw, e, ResampleOps.Filter.BICUBIC);
            g.section("patch_embed").patchEmbed("patch_embed", image, patch, new FloatArray(e), pos, x.tokens());
            WindowedBlocks.add(g, t, "net.", new WindowedBlocks.Shape(e, c.numHeads(), c.mlpHidden(), c.depth(), c.window(),
                    Set.copyOf(c.globalBlocks()), c.qkvBias(), c.relPos(), c.eps(), c.residualBlocks()), x);
            Level last = new Level("last_feat", x);

            FeatureMap p5 = null;
            for (double scale : c.scales()) {
                int stage = (int) Math.round(Math.log(c.patch() / scale) / Math.log(2));
                g.section("simfp_" + stage);
                Level level = new Level("p" + stage, pyramidLevel("simfp_" + stage, scale, x));
                levels.add(level);
                p5 = level.map();
            }
            if (c.topBlock() && p5 != null) {
                FeatureMap p6 = FeatureMap.allocate(batch, (p5.height() - 1) / 2 + 1, (p5.width() - 1) / 2 + 1, c.outChannels());
                g.section("p6").maxPool2d("p6", p5, new MaxPool2d(1, 2, 0, false), p6);
                levels.add(new Level("p6", p6));
            }
            levels.add(last);
            return levels;
        }

        /** One SFP stage: the scale-specific layers, then 1x1 conv + LN and 3x3 conv + LN. */
        private FeatureMap pyramidLevel(String p, double scale, FeatureMap in) {
            int n = c.outChannels();
            FeatureMap cur = in;
            int next = 0;
            if (scale == 4.0) {
                cur = deconv(p + ".0", cur, cur.channels() / 2);
                norm(p + ".1", cur);
                g.gelu(p + ".2", cur.data());
                cur = deconv(p + ".3", cur, cur.channels() / 2);
                next = 4;
            } else if (scale == 2.0) {
                cur = deconv(p + ".0", cur, cur.channels() / 2);
                next = 1;
            } else if (scale == 0.5) {
                FeatureMap pooled = FeatureMap.allocate(batch, cur.height() / 2, cur.width() / 2, cur.channels());
                g.maxPool2d(p + ".0", cur, new MaxPool2d(2, 2, 0, false), pooled);
                cur = pooled;
                next = 1;
            }
            cur = conv(p + "." + next, cur, n, 1);
            norm(p + "." + next + ".norm", cur);
            cur = conv(p + "." + (next + 1), cur, n, 3);
            norm(p + "." + (next + 1) + ".norm", cur);
            return cur;
        }

        private FeatureMap deconv(String name, FeatureMap in, int out) {
            ConvTranspose2x2 p = new ConvTranspose2x2(t.load(name + ".weight", in.channels(), out, 2, 2), t.load(name + ".bias", out), in.channels(),
                    out);
            FeatureMap y = FeatureMap.allocate(batch, 2 * in.height(), 2 * in.width(), out);
            g.convTranspose2x2(name, in, p, y);
            return y;
        }

        private FeatureMap conv(String name, FeatureMap in, int out, int kernel) {
            Conv2d p = Conv2d.same(t.load(name + ".weight", out, in.channels(), kernel, kernel), t.loadOrZeros(name + ".bias", out), in.channels(),
                    out, kernel);
            FeatureMap y = FeatureMap.allocate(batch, in.height(), in.width(), out);
            g.conv2d(name, in, p, y);
            return y;
        }

        /** detectron2's channels-first LayerNorm is a row LayerNorm on NHWC data, in place. */
        private void norm(String name, FeatureMap x) {
            g.layerNorm(name, x.tokens(), BlockWeights.norm(t, name, x.channels(), VitDetConfig.PYRAMID_EPS), x.tokens());
        }

    }
}
