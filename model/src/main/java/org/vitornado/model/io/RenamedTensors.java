package org.vitornado.model.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A checkpoint read by the names a model uses, like timm's {@code checkpoint_filter_fn}: every model name maps to
 * the checkpoint's name, or to several names stacked along dimension 0 (Hugging Face's separate query, key and value
 * for timm's packed {@code qkv}). Each family keeps one such mapping ({@code VitCheckpoint}, {@code SegformerCheckpoint}).
 */
public final class RenamedTensors implements Tensors {

    private final Tensors checkpoint;
    private final Function<String, List<String>> names;

    /** {@code names}: a model name to the checkpoint's name(s), stacked in that order. */
    public RenamedTensors(Tensors checkpoint, Function<String, List<String>> names) {
        this.checkpoint = checkpoint;
        this.names = names;
    }

    @Override
    public Path path() {
        return checkpoint.path();
    }

    @Override
    public boolean contains(String name) {
        return names.apply(name).stream().allMatch(checkpoint::contains);
    }

    @Override
    public long[] shape(String name) {
        List<String> parts = names.apply(name);
        long[] shape = checkpoint.shape(parts.get(0));
        shape[0] *= parts.size();
        return shape;
    }

    @Override
    public FloatArray load(String name, long... shape) {
        List<String> parts = names.apply(name);
        if (parts.size() == 1) {
            return checkpoint.load(parts.get(0), shape);
        }
        long[] part = shape.clone();
        if (part[0] % parts.size() != 0) {
            throw new ModelException(path() + ": '" + name + "' of shape " + Arrays.toString(shape) + " cannot be " + parts + " stacked");
        }
        part[0] /= parts.size();
        return checkpoint.stack(parts.toArray(String[]::new), part);
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        List<String> parts = names.apply(name);
        if (parts.size() == 1) {
            return checkpoint.loadOrZeros(parts.get(0), shape);
        }
        return contains(name) ? load(name, shape) : new FloatArray(Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        return checkpoint.stack(Arrays.stream(names).map(this::single).toArray(String[]::new), partShape);
    }

    private String single(String name) {
        List<String> parts = names.apply(name);
        if (parts.size() != 1) {
            throw new ModelException(path() + ": '" + name + "' is itself a stack of " + parts);
        }
        return parts.get(0);
    }

    @Override
    public boolean placeholder() {
        return checkpoint.placeholder();
    }
}
