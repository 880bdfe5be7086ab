package org.vitornado.model.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Random weights of any requested shape, for benchmark presets that need no download: matrices and conv kernels
 * uniform with the variance of N(0, 1/fan_in), vectors near 1 for norm scales and BatchNorm variances ({@code weight},
 * {@code running_var}) and small otherwise. Deterministic (a fixed-seed xorshift per tensor name). Tensors whose size
 * the checkpoint would decide (rel-pos tables) take their shape from {@code shapes}.
 */
public final class RandomTensors implements Tensors {

    private final String what;
    private final Map<String, long[]> shapes;

    public RandomTensors(String what, Map<String, long[]> shapes) {
        this.what = what;
        this.shapes = shapes;
    }

    @Override
    public Path path() {
        return Path.of("(random " + what + ")");
    }

    /** Every name of a bare model; a detector's {@code backbone.} wrapper is absent (so models use their own names). */
    @Override
    public boolean contains(String name) {
        return !name.startsWith("backbone.");
    }

    @Override
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new ModelException(path() + ": no shape known for '" + name + "'");
        }
        return s.clone();
    }

    @Override
    public FloatArray load(String name, long... shape) {
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        FloatArray a = new FloatArray(Math.toIntExact(n));
        long state = name.hashCode() * 0x9E3779B97F4A7C15L | 1;
        boolean vector = shape.length == 1 || n == shape[shape.length - 1];
        boolean nearOne = vector && (name.endsWith("weight") || name.endsWith("running_var"));
        double fanIn = shape.length > 1 ? (double) n / shape[0] : 1;
        float scale = (float) (vector ? 0.1 : Math.sqrt(3.0 / fanIn));
        for (int i = 0; i < n; i++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            float u = (state >>> 40) / (float) (1 << 24) * 2 - 1;
            a.set(i, nearOne ? 1 + 0.1f * u : scale * u);
        }
        return a;
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        return load(name, shape);
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        long part = Arrays.stream(partShape).reduce(1, Math::multiplyExact);
        FloatArray out = new FloatArray(Math.toIntExact(part * names.length));
        for (int i = 0; i < names.length; i++) {
            FloatArray p = load(names[i], partShape);
            out.getSegment().asSlice(i * part * Float.BYTES, part * Float.BYTES).copyFrom(p.getSegment());
        }
        return out;
    }
}
