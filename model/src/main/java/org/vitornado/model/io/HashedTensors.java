package org.vitornado.model.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Weights computed from their names by a rule simple enough to write in any language ({@code vitornado-hash-v1}),
 * so that a reference fixture of a production-size model needs no weights file: the fixture's generator computes
 * the same values in Python and loads them into the upstream model. For a tensor {@code name} of {@code n} values:
 * <pre>
 *   state = fnv1a64(utf8(name)) xor 0x9E3779B97F4A7C15
 *   for i in 0..n-1:  state += 0x9E3779B97F4A7C15;  z = splitmix64 mix of state
 *                     u = (z >>> 40) / 2^24 * 2 - 1                       (exact in float32: [-1, 1))
 *   value = 1 + 0.1 u                      for a 1-D tensor whose name ends in "weight" (a norm's scale)
 *           0.02 u                         for any other 1-D tensor (a bias)
 *           float32(sqrt(3 / fan_in)) u    otherwise, fan_in = n / shape[0]
 * </pre>
 * all in float32. Which tensors exist, and their shapes, come from a manifest (as a checkpoint's header would).
 */
public final class HashedTensors implements Tensors {

    /** The rule's name, as fixtures give it. */
    public static final String RULE = "vitornado-hash-v1";

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final String what;
    private final Map<String, long[]> manifest;

    public HashedTensors(String what, Map<String, long[]> manifest) {
        this.what = what;
        this.manifest = Map.copyOf(manifest);
    }

    @Override
    public Path path() {
        return Path.of("(" + RULE + " weights of " + what + ")");
    }

    @Override
    public boolean contains(String name) {
        return manifest.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        long[] s = manifest.get(name);
        if (s == null) {
            throw new ModelException(path() + ": no tensor '" + name + "'");
        }
        return s.clone();
    }

    @Override
    public FloatArray load(String name, long... shape) {
        long[] own = shape(name);
        long n = Arrays.stream(own).reduce(1, Math::multiplyExact);
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != n) {
            throw new ModelException(path() + ": tensor '" + name + "' has shape " + Arrays.toString(own) + ", expected " + Arrays.toString(shape));
        }
        return FloatArray.fromArray(values(name, own));
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        return contains(name) ? load(name, shape) : new FloatArray(Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
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

    /** The values of tensor {@code name} of {@code shape}, by the rule above. */
    public static float[] values(String name, long[] shape) {
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] out = new float[n];
        long state = fnv1a64(name) ^ GOLDEN;
        boolean vector = shape.length == 1;
        boolean scale = vector && name.endsWith("weight");
        float bound = vector ? 0 : (float) Math.sqrt(3.0 / ((double) n / shape[0]));
        for (int i = 0; i < n; i++) {
            state += GOLDEN;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            float u = (z >>> 40) / 16777216.0f * 2.0f - 1.0f;
            out[i] = scale ? 1.0f + 0.1f * u : vector ? 0.02f * u : bound * u;
        }
        return out;
    }

    static long fnv1a64(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
