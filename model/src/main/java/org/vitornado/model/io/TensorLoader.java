package org.vitornado.model.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

import org.vitornado.weights.SafetensorsFile;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Copies checkpoint tensors into off-heap {@link FloatArray}s after checking their shapes, converting F16/BF16/F64
 * to float32. Tensors can be stacked along the first dimension (Hugging Face's separate q, k, v into timm's qkv).
 */
public final class TensorLoader implements Tensors {

    private final SafetensorsFile file;
    private final boolean headerOnly;
    private int checked;

    public TensorLoader(SafetensorsFile file) {
        this(file, false);
    }

    private TensorLoader(SafetensorsFile file, boolean headerOnly) {
        this.file = file;
        this.headerOnly = headerOnly;
    }

    /**
     * The checkpoint's tensors checked, not read: every tensor a model asks for must be in the file with the shape
     * its config implies, exactly as loading demands, but only the header is consulted and each answer is a
     * one-element stand-in ({@link #placeholder()}). Building a model's plan on these ({@code info}) finds a missing
     * tensor or a mis-shaped qkv without reading or allocating gigabytes of weights.
     */
    public static TensorLoader headerOnly(SafetensorsFile file) {
        return new TensorLoader(file, true);
    }

    /** Closes the checkpoint file (for a loader that owns it). */
    public void closeFile() {
        file.close();
    }

    /** Tensors checked so far. */
    public int checked() {
        return checked;
    }

    /** In {@link #headerOnly} mode the answers are stand-ins: a plan built on them is for inspection only. */
    @Override
    public boolean placeholder() {
        return headerOnly;
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

    /** The tensor {@code name}, which must have {@code shape}. */
    @Override
    public FloatArray load(String name, long... shape) {
        return stack(new String[] {name}, shape);
    }

    /** The tensor if present (with {@code shape}), else zeros of that shape: for optional biases. */
    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        if (file.contains(name)) {
            return load(name, shape);
        }
        return headerOnly ? new FloatArray(1) : new FloatArray(Math.toIntExact(product(shape)));
    }

    /**
     * Tensors {@code names}, each of shape {@code partShape}, stacked along dimension 0 into one array
     * of {@code names.length * partShape[0]} rows.
     */
    @Override
    public FloatArray stack(String[] names, long... partShape) {
        long part = product(partShape);
        FloatArray out = new FloatArray(headerOnly ? 1 : Math.toIntExact(part * names.length));
        MemorySegment all = out.getSegment();
        for (int i = 0; i < names.length; i++) {
            String name = names[i];
            if (!file.contains(name)) {
                throw missing(name);
            }
            try {
                file.require(name, partShape);
                checked++;
                if (!headerOnly) {
                    file.readFloats(name, all.asSlice(i * part * Float.BYTES, part * Float.BYTES));
                }
            } catch (IOException e) {
                throw new ModelException(e.getMessage(), e);
            }
        }
        return out;
    }

    private ModelException missing(String name) {
        try {
            file.info(name);
        } catch (IOException e) {
            return new ModelException(e.getMessage(), e);
        }
        return new ModelException(file.path() + ": tensor '" + name + "' not found");
    }

    static long product(long[] shape) {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }
}
