package org.vitornado.model.io;

import java.nio.file.Path;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Counts the parameters a model asks for (the elements of every tensor it loads) and passes the requests on. */
public final class CountingTensors implements Tensors {

    private final Tensors delegate;
    private long elements;

    public CountingTensors(Tensors delegate) {
        this.delegate = delegate;
    }

    /** Elements requested so far. */
    public long elements() {
        return elements;
    }

    @Override
    public Path path() {
        return delegate.path();
    }

    @Override
    public boolean contains(String name) {
        return delegate.contains(name);
    }

    @Override
    public long[] shape(String name) {
        return delegate.shape(name);
    }

    @Override
    public FloatArray load(String name, long... shape) {
        elements += TensorLoader.product(shape);
        return delegate.load(name, shape);
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        elements += TensorLoader.product(shape);
        return delegate.loadOrZeros(name, shape);
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        elements += TensorLoader.product(partShape) * names.length;
        return delegate.stack(names, partShape);
    }

    @Override
    public boolean placeholder() {
        return delegate.placeholder();
    }
}
