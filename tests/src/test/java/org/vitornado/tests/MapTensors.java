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
