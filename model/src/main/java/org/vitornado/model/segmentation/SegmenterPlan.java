package org.vitornado.model.segmentation;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Segmenter's forward:
 * <pre>
 *   pad the image (zeros, bottom/right) to a multiple of the patch -> ViT encoder -> drop the class token
 *   -> mask transformer -> masks at token resolution -> bilinear (align_corners=False) to the padded size, cropped
 * </pre>
 * The padding happens as the pixels are copied in; the crop is the bilinear kernel writing only the unpadded region.
 */
final class SegmenterPlan extends SegmentationPlan {

    private final SegmenterConfig c;
    private final Image padded;
    private final FeatureMap masks;

    SegmenterPlan(SegmenterConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super("segmenter", options, batch, c.inChans(), height, width);
        this.c = c;
        int p = c.encoder().patch();
        int paddedH = padded(height, p);
        int paddedW = padded(width, p);
        int gridH = paddedH / p;
        int gridW = paddedW / p;
        int n = c.classes();
        padded = new Image(g.input(new FloatArray(batch * c.inChans() * paddedH * paddedW)), batch, c.inChans(), paddedH, paddedW);
        Tokens x = VitEncoder.add(g, c.encoder(), VitWeights.load(c.encoder(), t.withPrefix("encoder.")), padded);
        masks = MaskTransformer.add(g, t.withPrefix("decoder."), c.decoder(), x, 1, gridH, gridW).asMap(gridH, gridW);
        logits = FeatureMap.allocate(batch, height, width, n);
        g.section("upsample").bilinear("upsample", masks, paddedH, paddedW, logits, 0, false);
        g.output(masks.data(), logits.data());
        compile();
    }

    private static int padded(int size, int patch) {
        return (size + patch - 1) / patch * patch;
    }

    /** Zero padding at the bottom and right: rows are copied into the larger planes, the rest stays zero. */
    @Override
    protected void upload(float[] pixels) {
        MemorySegment dst = padded.data().getSegment();
        MemorySegment src = MemorySegment.ofArray(pixels);
        for (int plane = 0; plane < batch * c.inChans(); plane++) {
            for (int y = 0; y < height; y++) {
                MemorySegment.copy(src, (long) (plane * height + y) * width * Float.BYTES, dst,
                        (long) (plane * padded.height() + y) * padded.width() * Float.BYTES, (long) width * Float.BYTES);
            }
        }
    }

    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("masks", logits());
        out.put("intermediate.decoder", masks.toNchw());
        return out;
    }
}
