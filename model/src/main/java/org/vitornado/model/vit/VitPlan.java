package org.vitornado.model.vit;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.model.hybrid.ResNetV2;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

/**
 * A ViT forward pass for one (batch, height, width), as timm's {@code VisionTransformer.forward}:
 * <pre>
 *   [resample pos-embed] -> patch_embed(+cls, +pos) -> [norm_pre]
 *   -> blocks x depth: norm1 -> qkv -> attention -> proj(+residual) -> norm2 -> fc1+GELU -> fc2(+residual)
 *   -> [norm] -> pool (class token | mean) -> [fc_norm] -> head -> [softmax]
 * </pre>
 * Each step is a kernel task; the plan splits them into task graphs between blocks.
 */
public final class VitPlan extends ModelPlan {

    private final VitConfig config;
    private final int gridH;
    private final int gridW;
    private final int tokens;
    private final Map<VitOutput, Tokens> outputs = new EnumMap<>(VitOutput.class);
    private final Map<String, FeatureMap> backboneMaps = new java.util.LinkedHashMap<>();
    private Tokens projected;

    /** Builds the plan; {@code options == null} builds it for inspection only (nothing can run). */
    VitPlan(VitConfig c, VitWeights w, int batch, int height, int width, Set<VitOutput> wanted, ExecutionOptions options) {
        super("vit", options, batch, c.inChans(), height, width);
        if (height < c.patch() || width < c.patch()) {
            throw new IllegalArgumentException("input " + height + "x" + width + " is smaller than the patch size " + c.patch());
        }
        this.config = c;
        this.gridH = c.gridFor(height);
        this.gridW = c.gridFor(width);
        this.tokens = c.prefixTokens() + gridH * gridW;
        int e = c.embedDim();

        VitEncoder.Encoded encoded = VitEncoder.add(g, c, w, image(), new int[0]);
        Tokens x = encoded.tokens();
        outputs.put(VitOutput.FEATURES, x);
        if (encoded.backbone() != null && wanted.contains(VitOutput.BACKBONE)) {
            // The hybrid's CNN maps (NCHW on the host, as the fixtures store them) and their projection.
            ResNetV2.Maps maps = encoded.backbone();
            backboneMaps.put("backbone", maps.features());
            backboneMaps.put("intermediate.backbone.stem", maps.stem());
            for (int s = 0; s < maps.stages().size() - 1; s++) {
                backboneMaps.put("intermediate.backbone.stages." + s, maps.stages().get(s));
            }
            projected = encoded.projected();
            backboneMaps.values().forEach(m -> g.output(m.data()));
            g.output(projected.data());
        }

        // Head: pool to one row per image, or keep every token (global_pool='').
        g.section("head");
        Tokens pooled = x;
        if (c.pool() != VitConfig.Pool.NONE) {
            pooled = Tokens.allocate(batch, 1, e);
            if (c.pool() == VitConfig.Pool.TOKEN) {
                g.classToken("pool", x, pooled);
            } else {
                g.meanTokens("pool", x, c.prefixTokens(), pooled);
            }
        }
        if (c.fcNorm()) {
            Tokens normed = Tokens.allocate(pooled.batch(), pooled.tokens(), e);
            g.layerNorm("fc_norm", pooled, w.fcNorm(), normed);
            pooled = normed;
        }
        outputs.put(VitOutput.PRE_LOGITS, pooled);
        if (c.numClasses() > 0) {
            Tokens logits = Tokens.allocate(pooled.batch(), pooled.tokens(), c.numClasses());
            g.linear("head", pooled, w.head(), logits);
            outputs.put(VitOutput.LOGITS, logits);
            if (wanted.contains(VitOutput.PROBABILITIES)) {
                Tokens probs = Tokens.allocate(logits.batch(), logits.tokens(), c.numClasses());
                g.softmax("softmax", logits, probs);
                outputs.put(VitOutput.PROBABILITIES, probs);
            }
        }
        outputs.keySet().retainAll(wanted);
        outputs.values().forEach(o -> g.output(o.data()));
        compile();
    }

    /** The host copy of an output after {@link #run}. */
    public float[] output(VitOutput which) {
        Tokens a = outputs.get(which);
        if (a == null) {
            throw new IllegalArgumentException("output " + which.fixtureName() + " was not requested or the model has none");
        }
        return a.data().toHeapArray();
    }

    /** The outputs it was built for. */
    public Set<VitOutput> produced() {
        return outputs.isEmpty() ? EnumSet.noneOf(VitOutput.class) : EnumSet.copyOf(outputs.keySet());
    }

    /** Every output it was built for, by its fixture name ({@code features}, {@code pre_logits}, {@code logits}, ...). */
    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        outputs.forEach((kind, rows) -> out.put(kind.fixtureName(), rows.data().toHeapArray()));
        backboneMaps.forEach((name, map) -> out.put(name, map.toNchw()));
        if (projected != null) {
            out.put("intermediate.patch_embed", projected.data().toHeapArray());
        }
        return out;
    }

    public VitConfig config() {
        return config;
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
}
