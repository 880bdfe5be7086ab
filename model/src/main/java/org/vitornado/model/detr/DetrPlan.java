package org.vitornado.model.detr;

import java.util.LinkedHashMap;
import java.util.Map;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DETR's forward ({@code models/detr.py} {@code DETR.forward}, {@code models/transformer.py}) for one padded batch
 * {@code [B, 3, H, W]}, channels-last after the first task; d = d_model, h x w the backbone's map:
 * <pre>
 *   backbone (frozen-BN ResNet)                        features [B, h, w, C]
 *   pos = sine(feature mask)                           [B, h, w, d]
 *   src = input_proj(features)                         [B, hw, d]
 *   encoder x L:  q = k = src + pos, v = src, padded keys masked
 *                 src = norm1(src + out_proj(attn));  src = norm2(src + linear2(relu(linear1(src))))      memory = src
 *   decoder x L:  tgt = 0 [B, Q, d];  q = k = tgt + query_embed, v = tgt:  tgt = norm1(tgt + self_attn)
 *                 q = tgt + query_embed, k = memory + pos, v = memory, padded keys masked:  tgt = norm2(tgt + cross_attn)
 *                 tgt = norm3(tgt + linear2(relu(linear1(tgt))))
 *   hs = decoder.norm(tgt)                             [B, Q, d]
 *   pred_logits = class_embed(hs) [B, Q, classes + 1];  pred_boxes = sigmoid(bbox MLP(hs)) [B, Q, 4]
 * </pre>
 * The feature mask is an input of every run ({@link #run(float[], float[])} computes it from the pixel mask);
 * post-processing is {@link DetrPostProcess}, on the host.
 */
public final class DetrPlan extends ModelPlan {

    private final DetrConfig c;
    private final FloatArray featureMask;
    private final int mapH;
    private final int mapW;
    private final FrozenResNet.Maps maps;
    private final FeatureMap pos;
    private final Tokens memory;
    private final Tokens hs;
    private final Tokens logits;
    private final Tokens boxes;
    private final boolean intermediates;
    private float[] lastMask;

    DetrPlan(DetrConfig c, DetrWeights w, int batch, int height, int width, boolean intermediates, ExecutionOptions options) {
        super("detr", options, batch, 3, height, width);
        this.c = c;
        this.intermediates = intermediates;
        int d = c.dModel();
        FeatureMap pixels = FeatureMap.allocate(batch, height, width, 3);
        g.section("backbone").channelsLast("pixels", image(), pixels);
        maps = w.backbone().add(g, "backbone.0.body.", pixels);
        FeatureMap features = maps.features();
        mapH = features.height();
        mapW = features.width();
        int tokens = mapH * mapW;
        featureMask = g.input(new FloatArray(batch * tokens));
        pos = FeatureMap.allocate(batch, mapH, mapW, d);
        Tokens src = Tokens.allocate(batch, tokens, d);
        g.section("input_proj").sinePosition("position_embedding", featureMask, frequencies(c), pos, DetrConfig.POS_SCALE)
                .linear("input_proj", features.tokens(), w.inputProj(), src);

        Tokens posRows = new Tokens(pos.data(), batch, tokens, d);
        Tokens withPos = Tokens.allocate(batch, tokens, d);
        Tokens qk = Tokens.allocate(batch, tokens, 2 * d);
        Tokens v = Tokens.allocate(batch, tokens, d);
        Tokens attn = Tokens.allocate(batch, tokens, d);
        Tokens hidden = Tokens.allocate(batch, tokens, c.ffn());
        for (int i = 0; i < c.encoderLayers(); i++) {
            DetrWeights.EncoderLayer l = w.encoder()[i];
            String p = "transformer.encoder.layers." + i + ".";
            g.section(p.substring(0, p.length() - 1))
                    .add(p + "pos", src.data(), posRows.data(), withPos.data())
                    .linear(p + "self_attn.qk", withPos, l.qk(), qk)
                    .linear(p + "self_attn.v", src, l.v(), v)
                    .maskedAttention(p + "self_attn", new HeadSlice(qk, 0), new HeadSlice(qk, d), new HeadSlice(v, 0), featureMask, c.heads(), attn)
                    .linearResidual(p + "self_attn.out_proj", attn, l.out(), src)
                    .layerNorm(p + "norm1", src, l.norm1(), src)
                    .linear(p + "linear1", src, l.linear1(), hidden).relu(p + "relu", hidden.data())
                    .linearResidual(p + "linear2", hidden, l.linear2(), src)
                    .layerNorm(p + "norm2", src, l.norm2(), src);
        }
        memory = src;

        int q = c.queries();
        Tokens memoryPos = Tokens.allocate(batch, tokens, d);
        FloatArray queryPos = repeated(w.queryEmbed(), batch, q * d);
        FloatArray noMask = new FloatArray(batch * q);
        Tokens tgt = Tokens.allocate(batch, q, d);
        Tokens tq = Tokens.allocate(batch, q, d);
        Tokens tqk = Tokens.allocate(batch, q, 2 * d);
        Tokens tv = Tokens.allocate(batch, q, d);
        Tokens tAttn = Tokens.allocate(batch, q, d);
        Tokens crossQ = Tokens.allocate(batch, q, d);
        Tokens crossK = Tokens.allocate(batch, tokens, d);
        Tokens crossV = Tokens.allocate(batch, tokens, d);
        Tokens tHidden = Tokens.allocate(batch, q, c.ffn());
        g.section("transformer.decoder")
                .add("transformer.decoder.memory_pos", memory.data(), posRows.data(), memoryPos.data())
                .copyRows("transformer.decoder.tgt", Tokens.allocate(1, q, d), 0, tgt, 0, q);
        for (int i = 0; i < c.decoderLayers(); i++) {
            DetrWeights.DecoderLayer l = w.decoder()[i];
            String p = "transformer.decoder.layers." + i + ".";
            g.section(p.substring(0, p.length() - 1))
                    .add(p + "self_attn.pos", tgt.data(), queryPos, tq.data())
                    .linear(p + "self_attn.qk", tq, l.selfQk(), tqk)
                    .linear(p + "self_attn.v", tgt, l.selfV(), tv)
                    .maskedAttention(p + "self_attn", new HeadSlice(tqk, 0), new HeadSlice(tqk, d), new HeadSlice(tv, 0), noMask, c.heads(), tAttn)
                    .linearResidual(p + "self_attn.out_proj", tAttn, l.selfOut(), tgt)
                    .layerNorm(p + "norm1", tgt, l.norm1(), tgt)
                    .add(p + "multihead_attn.pos", tgt.data(), queryPos, tq.data())
                    .linear(p + "multihead_attn.q", tq, l.crossQ(), crossQ)
                    .linear(p + "multihead_attn.k", memoryPos, l.crossK(), crossK)
                    .linear(p + "multihead_attn.v", memory, l.crossV(), crossV)
                    .maskedAttention(p + "multihead_attn", new HeadSlice(crossQ, 0), new HeadSlice(crossK, 0), new HeadSlice(crossV, 0), featureMask,
                            c.heads(), tAttn)
                    .linearResidual(p + "multihead_attn.out_proj", tAttn, l.crossOut(), tgt)
                    .layerNorm(p + "norm2", tgt, l.norm2(), tgt)
                    .linear(p + "linear1", tgt, l.linear1(), tHidden).relu(p + "relu", tHidden.data())
                    .linearResidual(p + "linear2", tHidden, l.linear2(), tgt)
                    .layerNorm(p + "norm3", tgt, l.norm3(), tgt);
        }
        hs = Tokens.allocate(batch, q, d);
        logits = Tokens.allocate(batch, q, c.numClasses() + 1);
        Tokens b1 = Tokens.allocate(batch, q, d);
        Tokens b2 = Tokens.allocate(batch, q, d);
        boxes = Tokens.allocate(batch, q, 4);
        g.section("heads")
                .layerNorm("transformer.decoder.norm", tgt, w.decoderNorm(), hs)
                .linear("class_embed", hs, w.classEmbed(), logits)
                .linear("bbox_embed.layers.0", hs, w.bboxEmbed()[0], b1).relu("bbox_embed.relu.0", b1.data())
                .linear("bbox_embed.layers.1", b1, w.bboxEmbed()[1], b2).relu("bbox_embed.relu.1", b2.data())
                .linear("bbox_embed.layers.2", b2, w.bboxEmbed()[2], boxes).sigmoid("bbox_embed.sigmoid", boxes.data());
        g.output(logits.data(), boxes.data());
        if (intermediates) {
            g.output(hs.data(), memory.data(), pos.data());
            maps.stages().forEach(m -> g.output(m.data()));
        }
        compile();
    }

    /** {@code dim_t[i] = temperature^(2 floor(i / 2) / (d / 2))}, in float32 as DETR computes it. */
    static FloatArray frequencies(DetrConfig c) {
        int half = c.dModel() / 2;
        FloatArray f = new FloatArray(half);
        for (int i = 0; i < half; i++) {
            f.set(i, (float) Math.pow(c.temperature(), (float) (2 * (i / 2)) / half));
        }
        return f;
    }

    /** {@code rows} (one image's) repeated for every image of the batch. */
    private static FloatArray repeated(FloatArray rows, int batch, int n) {
        FloatArray out = new FloatArray(batch * n);
        if (rows.getSize() >= n) {
            for (int b = 0; b < batch; b++) {
                out.getSegment().asSlice((long) b * n * Float.BYTES, (long) n * Float.BYTES).copyFrom(rows.getSegment().asSlice(0, (long) n * Float.BYTES));
            }
        }
        return out;
    }

    /** The backbone map's height and width for this plan's input. */
    public int mapHeight() {
        return mapH;
    }

    public int mapWidth() {
        return mapW;
    }

    public DetrConfig config() {
        return c;
    }

    /**
     * Runs the padded batch {@code pixels [B, 3, H, W]} (normalised) with its pixel mask {@code [B, H, W]}, 1 = padding
     * ({@link DetrMasks#pixelMask}).
     */
    public void run(float[] pixels, float[] pixelMask) {
        if (pixelMask.length != batch * height * width) {
            throw new IllegalArgumentException("pixel mask has " + pixelMask.length + " values, expected " + batch + " x " + height + " x " + width);
        }
        lastMask = DetrMasks.featureMask(pixelMask, batch, height, width, mapH, mapW);
        featureMask.getSegment().copyFrom(java.lang.foreign.MemorySegment.ofArray(lastMask));
        run(pixels);
    }

    /** {@code pred_logits [B, Q, classes + 1]} after a run. */
    public float[] logits() {
        return logits.data().toHeapArray();
    }

    /** {@code pred_boxes [B, Q, 4]}, (cx, cy, w, h) relative to each image's unpadded size, after a run. */
    public float[] boxes() {
        return boxes.data().toHeapArray();
    }

    /** PostProcess of the last run for images of original sizes {@code origSizes[b] = {H, W}}. */
    public DetrPostProcess postProcess(int[][] origSizes) {
        return DetrPostProcess.of(logits(), boxes(), batch, c.queries(), c.numClasses() + 1, origSizes);
    }

    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("pred_logits", logits());
        out.put("pred_boxes", boxes());
        if (intermediates) {
            out.put("features", maps.features().toNchw());
            out.put("mask", lastMask == null ? new float[0] : lastMask.clone());
            out.put("pos", pos.toNchw());
            out.put("memory", FeatureMap.toNchw(memory.data().toHeapArray(), batch, mapH, mapW, c.dModel()));
            out.put("decoder_output", hs.data().toHeapArray());
            for (int s = 0; s < 3; s++) {
                out.put("intermediate.backbone.layer" + (s + 1), maps.stages().get(s).toNchw());
            }
        }
        return out;
    }
}
