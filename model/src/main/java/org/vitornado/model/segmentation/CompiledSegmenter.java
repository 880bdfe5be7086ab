package org.vitornado.model.segmentation;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * What every segmenter's plan shares: the input array on the device, the runner, the size it was built for. A
 * subclass builds its graph, then calls {@link #finish}; it overrides {@link #upload} when its input is not the NCHW
 * pixels as given (padded, channels-last).
 */
abstract class CompiledSegmenter implements SegmentationPlan {

    protected final int batch;
    protected final int height;
    protected final int width;
    protected final FloatArray image;
    private List<PlannedTask> tasks;
    private PlanRunner runner;

    /** {@code imageSize}: the input array's length, which may differ from the pixels' (padding). */
    protected CompiledSegmenter(int batch, int height, int width, int imageSize) {
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.image = new FloatArray(imageSize);
    }

    /** Records the graph's tasks and compiles it for {@code options} ({@code null}: inspection only). */
    protected final void finish(GraphBuilder g, GridScheduler grids, ExecutionOptions options) {
        tasks = g.tasks();
        runner = options == null ? null : new PlanRunner(List.of(g), grids, options);
    }

    /** The number of values {@link #run} takes: {@code batch * channels * height * width}. */
    protected abstract int pixelCount();

    /** Copies NCHW pixels into {@link #image}; by default as they are. */
    protected void upload(float[] pixels) {
        image.getSegment().copyFrom(MemorySegment.ofArray(pixels));
    }

    @Override
    public final void run(float[] pixels) {
        if (pixels.length != pixelCount()) {
            throw new IllegalArgumentException("input has " + pixels.length + " values, expected " + pixelCount() + " (" + batch
                    + " images of " + height + "x" + width + ")");
        }
        if (runner == null) {
            throw new IllegalStateException("this plan was built for inspection only (no execution options)");
        }
        upload(pixels);
        runner.run();
    }

    @Override
    public final PlanRunner runner() {
        return runner;
    }

    @Override
    public final List<PlannedTask> tasks() {
        return tasks;
    }

    @Override
    public final int batch() {
        return batch;
    }

    @Override
    public final int height() {
        return height;
    }

    @Override
    public final int width() {
        return width;
    }

    @Override
    public final void close() {
        if (runner != null) {
            runner.close();
        }
    }
}
