package org.vitornado.model.detr;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

/** A loaded DETR: its config and weights (frozen norms folded); {@link #plan} compiles it for one padded batch shape. */
public final class DetrModel {

    private final DetrConfig config;
    private final DetrWeights weights;

    private DetrModel(DetrConfig config, DetrWeights weights) {
        this.config = config;
        this.weights = weights;
    }

    /** Loads every parameter of {@code config} from {@code tensors} (DETR's or Hugging Face's names). */
    public static DetrModel load(DetrConfig config, Tensors tensors) {
        return new DetrModel(config, DetrWeights.load(config, tensors));
    }

    public DetrConfig config() {
        return config;
    }

    /** A runnable plan for {@code batch} padded images of {@code height x width}; {@code intermediates}: also hand back the maps. */
    public DetrPlan plan(int batch, int height, int width, boolean intermediates, ExecutionOptions options) {
        return new DetrPlan(config, weights, batch, height, width, intermediates, options);
    }

    /** The task graph of {@code config} only, on placeholder weights (for {@code plan} and {@code info}); it cannot run. */
    public static DetrPlan inspect(DetrConfig config, int batch, int height, int width) {
        DetrWeights placeholders = DetrWeights.load(config, Tensors.placeholders(java.nio.file.Path.of("(inspection)")));
        return new DetrPlan(config, placeholders, batch, height, width, false, null);
    }
}
