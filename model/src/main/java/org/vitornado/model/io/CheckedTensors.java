package org.vitornado.model.io;

import java.io.IOException;
import java.nio.file.Path;

import org.vitornado.weights.SafetensorsFile;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A checkpoint's tensors checked, not read: every tensor a model asks for must be in the file with the shape its
 * config implies, exactly as {@link TensorLoader} demands when loading, but only the header is consulted and each
 * answer is a one-element stand-in. Building a model's plan on these ({@code info}) finds a missing tensor or a
 * mis-shaped qkv without reading or allocating gigabytes of weights.
 */
public final class CheckedTensors implements Tensors {

    private final SafetensorsFile file;
    private int checked;

    public CheckedTensors(SafetensorsFile file) {
        this.file = file;
    }

    /** How many tensors were checked. */
    public int checked() {
        return checked;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public boolean contains(String name) {
        return file.contains(name);
    }

    @Override
    public long[] shape(String name) {
        try {
            return file.info(name).shape();
        } catch (IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    @Override
    public FloatArray load(String name, long... shape) {
        return stack(new String[] {name}, shape);
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        return file.contains(name) ? load(name, shape) : new FloatArray(1);
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        for (String name : names) {
            try {
                // info() names the closest tensors when this one is missing, as loading does.
                file.info(name);
                file.require(name, partShape);
            } catch (IOException e) {
                throw new ModelException(e.getMessage(), e);
            }
            checked++;
        }
        return new FloatArray(1);
    }

    /** The answers are stand-ins: a plan built on them is for inspection only. */
    @Override
    public boolean placeholder() {
        return true;
    }
}
