package org.vitornado.model.plan;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.runtime.tensor.Image;

/**
 * A model compiled for one input shape: what every family's plan shares. A family describes only its layers: in its
 * constructor it adds them to {@link #g}, declares its outputs, then calls {@link #compile()}. This class owns the
 * rest: the input, the task graphs and their runner, running on pixels, and releasing the device.
 *
 * <p>{@link #run} takes NCHW pixels {@code [batch, channels, height, width]}, already normalised; by default they
 * are the plan's {@link #image()} as they are, and a family whose first layer wants them otherwise (channels-last,
 * padded) overrides {@link #upload}.
 */
public abstract class ModelPlan implements AutoCloseable {

    protected final PlanBuilder g;
    protected final int batch;
    protected final int channels;
    protected final int height;
    protected final int width;
    private Image image;
    private CompiledPlan compiled;

    /** {@code options == null}: built for inspection only ({@code plan}, {@code info}); it cannot run. */
    protected ModelPlan(String name, ExecutionOptions options, int batch, int channels, int height, int width) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("input size " + height + "x" + width + " must be positive");
        }
        this.g = new PlanBuilder(name, options);
        this.batch = batch;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The pixels as {@link #run} receives them, on the device: the default input. */
    protected final Image image() {
        if (image == null) {
            image = g.image(batch, channels, height, width);
        }
        return image;
    }

    /** Splits the recorded layers into task graphs and compiles them (after the layers and outputs are declared). */
    protected final void compile() {
        compiled = g.compile();
    }

    /** Copies the pixels into the plan's input; by default as they are, into {@link #image()}. */
    protected void upload(float[] pixels) {
        image.data().getSegment().copyFrom(MemorySegment.ofArray(pixels));
    }

    /** Runs the model once on {@code batch x channels x height x width} NCHW pixels. */
    public final void run(float[] pixels) {
        long expected = (long) batch * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("input has " + pixels.length + " values, expected " + batch + " x " + channels + " x " + height + " x "
                    + width + " = " + expected);
        }
        if (compiled.runner() == null) {
            throw new IllegalStateException("this plan was built for inspection only (no backend)");
        }
        upload(pixels);
        execute(compiled);
    }

    /**
     * Runs the compiled graphs on the uploaded input: all of them, in order, by default. A family that works on the
     * host between stages (a detector) runs {@code plan.runStage(i)} itself.
     */
    protected void execute(CompiledPlan plan) {
        plan.run();
    }

    /** Every output after {@link #run}, by the upstream's name, in PyTorch's layout (NCHW maps). */
    public abstract Map<String, float[]> outputs();

    /** Every kernel task, in order, with its graph. */
    public final List<PlannedTask> tasks() {
        return compiled.tasks();
    }

    /** Bytes of every array the plan holds (weights, activations, outputs); see {@link CompiledPlan#arrayBytes()}. */
    public final long arrayBytes() {
        return compiled.arrayBytes();
    }

    /** The task graphs, in execution order. */
    public final List<PlannedGraph> graphs() {
        return compiled.graphs();
    }

    /** Stages: runs of graphs with the host's work between them (1 for most models; a detector has 3). */
    public final int stages() {
        return compiled.stages();
    }

    public final String stageLabel(int stage) {
        return compiled.stageLabel(stage);
    }

    public final int stageOfGraph(int graph) {
        return compiled.stageOfGraph(graph);
    }

    /** What the host does after each stage but the last, in a line each (none for a plan of one stage). */
    public List<String> hostWork() {
        return List.of();
    }

    /** Milliseconds of each host step in the last run, by name, in order (none for a plan of one stage). */
    public Map<String, Double> hostMillis() {
        return Map.of();
    }

    /** The runner, for its profile after a run; {@code null} for a plan built for inspection only. */
    public final PlanRunner runner() {
        return compiled.runner();
    }

    public final int batch() {
        return batch;
    }

    public final int height() {
        return height;
    }

    public final int width() {
        return width;
    }

    @Override
    public void close() {
        if (compiled != null) {
            compiled.close();
        }
    }
}
