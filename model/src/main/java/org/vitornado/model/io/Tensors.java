package org.vitornado.model.io;

import java.nio.file.Path;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Where a model's parameters come from: a checkpoint ({@link TensorLoader}) or placeholders for inspection. */
public interface Tensors {

    /** The checkpoint, for error messages. */
    Path path();

    boolean contains(String name);

    /** The shape of tensor {@code name}, for tensors whose size the checkpoint decides (rel-pos tables). */
    long[] shape(String name);

    /** The tensor {@code name}, which must have {@code shape}. */
    FloatArray load(String name, long... shape);

    /** The tensor if present (with {@code shape}), else zeros: for optional biases. */
    FloatArray loadOrZeros(String name, long... shape);

    /** Tensors of shape {@code partShape} stacked along dimension 0. */
    FloatArray stack(String[] names, long... partShape);

    /** True for {@link #placeholders}: values are stand-ins and must not be read. */
    default boolean placeholder() {
        return false;
    }

    /**
     * The tensors whose names start with {@code prefix}, under their names without it: a checkpoint that wraps
     * a backbone ({@code backbone.net.blocks.0...} in a detectron2 detector) read by the backbone's own names.
     */
    default Tensors withPrefix(String prefix) {
        Tensors all = this;
        return new Tensors() {
            public Path path() { return all.path(); }
            public boolean contains(String name) { return all.contains(prefix + name); }
            public long[] shape(String name) { return all.shape(prefix + name); }
            public FloatArray load(String name, long... shape) { return all.load(prefix + name, shape); }
            public FloatArray loadOrZeros(String name, long... shape) { return all.loadOrZeros(prefix + name, shape); }
            public FloatArray stack(String[] names, long... partShape) {
                return all.stack(java.util.Arrays.stream(names).map(n -> prefix + n).toArray(String[]::new), partShape);
            }
            public boolean placeholder() { return all.placeholder(); }
        };
    }

    /**
     * Stand-ins that let a model build its task graph (for {@code plan} and {@code info}) without reading or
     * allocating its weights: every tensor is a one-element array. Nothing built on them may run.
     */
    static Tensors placeholders(Path path) {
        return new Tensors() {
            public Path path() { return path; }
            public boolean contains(String name) { return true; }
            public long[] shape(String name) { return new long[] {1, 1}; }
            public FloatArray load(String name, long... shape) { return new FloatArray(1); }
            public FloatArray loadOrZeros(String name, long... shape) { return new FloatArray(1); }
            public FloatArray stack(String[] names, long... partShape) { return new FloatArray(1); }
            public boolean placeholder() { return true; }
        };
    }
}
