package org.vitornado.tests;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitConfig;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** In-memory timm-named tensors: random ViT weights for tests that need no file. */
final class MapTensors implements Tensors {

    final Map<String, float[]> values = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** Random weights for {@code c}, with the fixtures' distributions (no weight trivially 0 or 1). */
    static MapTensors randomVit(VitConfig c, long seed) {
        MapTensors t = new MapTensors();
        Random r = new Random(seed);
        long e = c.embedDim();
        long h = c.mlpHidden();
        t.linear(r, "patch_embed.proj", e, c.inChans() * c.patch() * c.patch(), e, c.inChans(), c.patch(), c.patch());
        if (c.classToken()) {
            t.normal(r, "cls_token", 0.5, 1, 1, e);
        }
        t.normal(r, "pos_embed", 0.5, 1, c.posEmbedRows(), e);
        for (int b = 0; b < c.depth(); b++) {
            String n = "blocks." + b + ".";
            t.norm(r, n + "norm1", e);
            t.linear(r, n + "attn.qkv", 3 * e, e, 3 * e, e);
            t.linear(r, n + "attn.proj", e, e, e, e);
            t.norm(r, n + "norm2", e);
            t.linear(r, n + "mlp.fc1", h, e, h, e);
            t.linear(r, n + "mlp.fc2", e, h, e, h);
        }
        if (c.finalNorm()) {
            t.norm(r, "norm", e);
        }
        if (c.fcNorm()) {
            t.norm(r, "fc_norm", e);
        }
        if (c.numClasses() > 0) {
            t.linear(r, "head", c.numClasses(), e, c.numClasses(), e);
        }
        return t;
    }

    /**
     * Random detectron2-named ViTDet + SimpleFeaturePyramid weights for {@code c}. Rel-pos tables have the lengths
     * detectron2 creates (2 window - 1; 2 (img_size / patch) - 1 in global blocks); residual blocks' last norm is
     * random, not zero as detectron2 initialises it, so the branch counts.
     */
    static MapTensors randomVitDet(org.vitornado.model.vitdet.VitDetConfig c, long seed) {
        MapTensors t = new MapTensors();
        Random r = new Random(seed);
        long e = c.embedDim();
        long h = c.mlpHidden();
        long hd = c.headDim();
        t.linear(r, "net.patch_embed.proj", e, c.inChans() * c.patch() * c.patch(), e, c.inChans(), c.patch(), c.patch());
        long g = c.pretrainImg() / c.patch();
        t.normal(r, "net.pos_embed", 0.5, 1, g * g + (c.pretrainClsToken() ? 1 : 0), e);
        for (int b = 0; b < c.depth(); b++) {
            String n = "net.blocks." + b + ".";
            long table = c.windowBlocks().contains(b) ? 2L * c.window() - 1 : 2L * (c.imgSize() / c.patch()) - 1;
            t.norm(r, n + "norm1", e);
            t.linear(r, n + "attn.qkv", 3 * e, e, 3 * e, e);
            t.normal(r, n + "attn.rel_pos_h", 0.25, table, hd);
            t.normal(r, n + "attn.rel_pos_w", 0.25, table, hd);
            t.linear(r, n + "attn.proj", e, e, e, e);
            t.norm(r, n + "norm2", e);
            t.linear(r, n + "mlp.fc1", h, e, h, e);
            t.linear(r, n + "mlp.fc2", e, h, e, h);
            if (c.residualBlocks().contains(b)) {
                String q = n + "residual.";
                t.normal(r, q + "conv1.weight", 1 / Math.sqrt(e), e / 2, e, 1, 1);
                t.norm(r, q + "norm1", e / 2);
                t.normal(r, q + "conv2.weight", 1 / Math.sqrt(9 * e / 2), e / 2, e / 2, 3, 3);
                t.norm(r, q + "norm2", e / 2);
                t.normal(r, q + "conv3.weight", 1 / Math.sqrt(e / 2), e, e / 2, 1, 1);
                t.norm(r, q + "norm3", e);
            }
        }
        long out = c.outChannels();
        for (double scale : c.scales()) {
            int stage = (int) Math.round(Math.log(c.patch() / scale) / Math.log(2));
            String p = "simfp_" + stage + ".";
            long in = e;
            int next = scale == 4.0 ? 4 : scale == 1.0 ? 0 : 1;
            if (scale == 4.0) {
                t.linear(r, p + "0", e / 2, e, e, e / 2, 2, 2);
                t.norm(r, p + "1", e / 2);
                t.linear(r, p + "3", e / 4, e / 2, e / 2, e / 4, 2, 2);
                in = e / 4;
            } else if (scale == 2.0) {
                t.linear(r, p + "0", e / 2, e, e, e / 2, 2, 2);
                in = e / 2;
            }
            t.normal(r, p + next + ".weight", 1 / Math.sqrt(in), out, in, 1, 1);
            t.norm(r, p + next + ".norm", out);
            t.normal(r, p + (next + 1) + ".weight", 1 / Math.sqrt(9 * out), out, out, 3, 3);
            t.norm(r, p + (next + 1) + ".norm", out);
        }
        return t;
    }

    private void linear(Random r, String name, long out, long fanIn, long... shape) {
        normal(r, name + ".weight", 1 / Math.sqrt(fanIn), shape);
        normal(r, name + ".bias", 0.2, out);
    }

    private void norm(Random r, String name, long n) {
        float[] g = new float[(int) n];
        for (int i = 0; i < n; i++) {
            g[i] = 0.5f + r.nextFloat();
        }
        put(name + ".weight", g, n);
        normal(r, name + ".bias", 0.2, n);
    }

    private void normal(Random r, String name, double std, long... shape) {
        float[] v = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        put(name, v, shape);
    }

    void put(String name, float[] v, long... shape) {
        values.put(name, v);
        shapes.put(name, shape);
    }

    @Override
    public Path path() {
        return Path.of("(memory)");
    }

    @Override
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        return shapes.get(name).clone();
    }

    @Override
    public FloatArray load(String name, long... shape) {
        if (!values.containsKey(name)) {
            throw new ModelException("(memory): tensor '" + name + "' not found");
        }
        if (!Arrays.equals(shapes.get(name), shape)) {
            throw new ModelException("(memory): tensor '" + name + "' has shape " + Arrays.toString(shapes.get(name))
                    + ", expected " + Arrays.toString(shape));
        }
        return FloatArray.fromArray(values.get(name));
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        return contains(name) ? load(name, shape) : new FloatArray((int) Arrays.stream(shape).reduce(1, (a, b) -> a * b));
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        throw new UnsupportedOperationException("timm names only");
    }
}
