package org.vitornado.model.vit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A ViT forward pass as one TornadoVM task graph, built for one (batch, height, width):
 * <pre>
 *   [resample pos-embed] -> patch_embed(+cls, +pos) -> [norm_pre]
 *   -> blocks x depth: norm1 -> qkv -> attention -> proj(+residual) -> norm2 -> fc1+GELU -> fc2(+residual)
 *   -> [norm] -> pool (class token | mean) -> [fc_norm] -> head -> [softmax]
 * </pre>
 * Weights are copied to the device on the first execution only; the image goes in and the requested outputs come
 * back on every execution; every activation in between stays on the device. Like timm's
 * {@code VisionTransformer.forward}, but each step is a kernel task.
 */
public final class VitPlan implements AutoCloseable {

    private final VitConfig config;
    private final int batch;
    private final int height;
    private final int width;
    private final int gridH;
    private final int gridW;
    private final int tokens;
    private final FloatArray image;
    private final Map<VitOutput, FloatArray> outputs = new EnumMap<>(VitOutput.class);
    private final List<PlannedTask> tasks;
    private final PlanRunner runner;

    /** Builds the plan; {@code options == null} builds the graph for inspection only (nothing can run). */
    VitPlan(VitConfig c, VitWeights w, int batch, int height, int width, Set<VitOutput> wanted, ExecutionOptions options) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (height < c.patch() || width < c.patch()) {
            throw new IllegalArgumentException("input " + height + "x" + width + " is smaller than the patch size " + c.patch());
        }
        this.config = c;
        this.batch = batch;
        this.height = height;
        this.width = width;
        this.gridH = height / c.patch();
        this.gridW = width / c.patch();
        int prefix = c.prefixTokens();
        this.tokens = prefix + gridH * gridW;
        int e = c.embedDim();
        int rows = batch * tokens;

        image = new FloatArray(batch * c.inChans() * height * width);
        GridScheduler grids = new GridScheduler();
        GraphBuilder g = GraphBuilder.forPlan("vit", grids, options);
        List<Object> weights = new ArrayList<>();
        FloatArray x = VitEncoder.add(g, c, w, image, batch, height, width, weights);
        outputs.put(VitOutput.FEATURES, x);

        // Head: pool to one row per image (or keep every token without pooling).
        int headRows = c.pool() == VitConfig.Pool.NONE ? rows : batch;
        FloatArray pooled = x;
        if (c.pool() != VitConfig.Pool.NONE) {
            pooled = new FloatArray(batch * e);
            if (c.pool() == VitConfig.Pool.TOKEN) {
                g.classToken("pool", x, pooled, batch, tokens, e);
            } else {
                g.meanTokens("pool", x, pooled, batch, tokens, prefix, e);
            }
        }
        if (c.fcNorm()) {
            FloatArray normed = new FloatArray(headRows * e);
            weights.addAll(List.of(w.fcNormW, w.fcNormB));
            g.layerNorm("fc_norm", pooled, w.fcNormW, w.fcNormB, normed, headRows, e, c.eps());
            pooled = normed;
        }
        outputs.put(VitOutput.PRE_LOGITS, pooled);
        if (c.numClasses() > 0) {
            FloatArray logits = new FloatArray(headRows * c.numClasses());
            weights.addAll(List.of(w.headW, w.headB));
            g.linear("head", pooled, w.headW, w.headB, logits, headRows, e, c.numClasses());
            outputs.put(VitOutput.LOGITS, logits);
            if (wanted.contains(VitOutput.PROBABILITIES)) {
                FloatArray probs = new FloatArray(headRows * c.numClasses());
                g.softmax("softmax", logits, probs, headRows, c.numClasses());
                outputs.put(VitOutput.PROBABILITIES, probs);
            }
        }
        outputs.keySet().retainAll(wanted);

        g.weights(weights.toArray()).inputs(image).outputs(outputs.values().toArray());
        this.tasks = g.tasks();
        this.runner = options == null ? null : new PlanRunner(List.of(g), grids, options);
    }

    /**
     * Runs the model on {@code pixels}, NCHW float32 {@code [batch, inChans, height, width]} already normalised.
     */
    public void run(float[] pixels) {
        if (runner == null) {
            throw new IllegalStateException("this plan was built for inspection only");
        }
        if (pixels.length != image.getSize()) {
            throw new IllegalArgumentException("input has " + pixels.length + " values, expected " + batch + "x"
                    + config.inChans() + "x" + height + "x" + width + " = " + image.getSize());
        }
        image.getSegment().copyFrom(java.lang.foreign.MemorySegment.ofArray(pixels));
        runner.run();
    }

    /** The host copy of an output after {@link #run}. */
    public float[] output(VitOutput which) {
        FloatArray a = outputs.get(which);
        if (a == null) {
            throw new IllegalArgumentException("output " + which.fixtureName() + " was not requested or the model has none");
        }
        return a.toHeapArray();
    }

    public Set<VitOutput> outputs() {
        return outputs.isEmpty() ? EnumSet.noneOf(VitOutput.class) : EnumSet.copyOf(outputs.keySet());
    }

    public List<PlannedTask> tasks() {
        return tasks;
    }

    public PlanRunner runner() {
        return runner;
    }

    public int batch() {
        return batch;
    }

    public int tokens() {
        return tokens;
    }

    public int gridH() {
        return gridH;
    }

    public int gridW() {
        return gridW;
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
    }
}
