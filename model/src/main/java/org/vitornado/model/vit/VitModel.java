package org.vitornado.model.vit;

import java.util.Set;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

/** A loaded ViT: its config and weights; {@link #plan} compiles it for one input size and batch. */
public final class VitModel {

    private final VitConfig config;
    private final VitWeights weights;

    public VitModel(VitConfig config, VitWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    public static VitModel load(VitConfig config, Tensors tensors) {
        return new VitModel(config, VitWeights.load(config, tensors));
    }

    public VitConfig config() {
        return config;
    }

    /** A runnable plan for {@code batch} images of {@code height x width}, handing back {@code outputs}. */
    public VitPlan plan(int batch, int height, int width, Set<VitOutput> outputs, ExecutionOptions options) {
        return new VitPlan(config, weights, batch, height, width, outputs, options);
    }

    /**
     * The task graph of {@code config} only, for {@code plan} and {@code info}: built on placeholder weights,
     * so no checkpoint is read and nothing can run.
     */
    public static VitPlan inspect(VitConfig config, int batch, int height, int width) {
        VitWeights placeholders = VitWeights.load(config, Tensors.placeholders(java.nio.file.Path.of("(inspection)")));
        return new VitPlan(config, placeholders, batch, height, width, Set.of(VitOutput.LOGITS), null);
    }
}
