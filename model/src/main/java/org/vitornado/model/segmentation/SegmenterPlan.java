package org.vitornado.model.segmentation;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.sam.WindowedBlocks;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Segmenter's forward as one graph:
 * <pre>
 *   pad the image (zeros, bottom/right) to a multiple of the patch -> ViT encoder -> drop the class token
 *   -> mask transformer -> masks at token resolution -> bilinear (align_corners=False) to the padded size, cropped
 * </pre>
 * The padding happens as the pixels are copied in; the crop is the bilinear kernel writing only the unpadded region.
 */
final class SegmenterPlan extends CompiledSegmenter {

    private final SegmenterConfig c;
    private final int paddedH;
    private final int paddedW;
    private final int gridH;
    private final int gridW;
    private final FloatArray masks;
    private final FloatArray logits;

    SegmenterPlan(SegmenterConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super(batch, height, width, batch * c.inChans() * padded(height, c.encoder().patch()) * padded(width, c.encoder().patch()));
        this.c = c;
        int p = c.encoder().patch();
        paddedH = padded(height, p);
        paddedW = padded(width, p);
        gridH = paddedH / p;
        gridW = paddedW / p;
        int n = c.classes();
        int tokens = 1 + gridH * gridW;
        GridScheduler grids = new GridScheduler();
        GraphBuilder g = GraphBuilder.forPlan("segmenter", grids, options);
        List<Object> weights = new ArrayList<>();
        FloatArray x = VitEncoder.add(g, c.encoder(), VitWeights.load(c.encoder(), t.withPrefix("encoder.")), image, batch, paddedH, paddedW,
                weights);
        masks = MaskTransformer.add(g, t.withPrefix("decoder."), c.decoder(), x, tokens, 1, batch, gridH, gridW, weights);
        logits = new FloatArray(batch * height * width * n);
        g.bilinear("upsample", masks, logits, batch, gridH, gridW, paddedH, paddedW, height, width, n, false, n, 0);
        g.weights(weights.toArray()).inputs(image).outputs(masks, logits);
        finish(g, grids, options);
    }

    private static int padded(int size, int patch) {
        return (size + patch - 1) / patch * patch;
    }

    @Override
    protected int pixelCount() {
        return batch * c.inChans() * height * width;
    }

    /** Zero padding at the bottom and right: rows are copied into the larger planes, the rest stays zero. */
    @Override
    protected void upload(float[] pixels) {
        MemorySegment dst = image.getSegment();
        MemorySegment src = MemorySegment.ofArray(pixels);
        for (int plane = 0; plane < batch * c.inChans(); plane++) {
            for (int y = 0; y < height; y++) {
                MemorySegment.copy(src, (long) (plane * height + y) * width * Float.BYTES, dst,
                        (long) (plane * paddedH + y) * paddedW * Float.BYTES, (long) width * Float.BYTES);
            }
        }
    }

    @Override
    public float[] logits() {
        return WindowedBlocks.toNchw(logits.toHeapArray(), batch, height, width, c.classes());
    }

    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("masks", logits());
        out.put("intermediate.decoder", WindowedBlocks.toNchw(masks.toHeapArray(), batch, gridH, gridW, c.classes()));
        return out;
    }
}
