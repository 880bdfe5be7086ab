package org.vitornado.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.vitornado.api.ClassMap;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.image.Planar;
import org.vitornado.model.segmentation.SegmentationImages;

/**
 * {@code segment}: each image's class map as a class-index PNG and a colour overlay (the pictures
 * {@code vitornado segment} writes), under the image's hash, and the classes present.
 * <pre>
 * classes_png   string       OUT/masks/SHA256.classes.png (pixel = class index)
 * overlay_png   string       OUT/overlays/SHA256.overlay.png
 * classes       array&lt;int&gt;   the classes in the map, ascending
 * </pre>
 *
 * @param slide mmseg's sliding window ({@code --mode slide}) rather than the whole resized image
 * @param shown the classes drawn in the overlay, null for all
 */
record SegmentTask(boolean slide, int windowH, int windowW, int strideH, int strideW, Set<Integer> shown) implements ImageTask {

    @Override
    public Task task() {
        return Task.SEGMENTATION;
    }

    @Override
    public List<StructField> columns() {
        return List.of(
                DataTypes.createStructField("classes_png", DataTypes.StringType, true),
                DataTypes.createStructField("overlay_png", DataTypes.StringType, true),
                DataTypes.createStructField("classes", DataTypes.createArrayType(DataTypes.IntegerType, false), true));
    }

    @Override
    public int batch() {
        return 1;
    }

    @Override
    public boolean prepareModel() {
        return !slide;
    }

    @Override
    public List<Object[]> run(VisionModel model, List<DecodedImage> images, Artifacts artifacts) throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (DecodedImage image : images) {
            RgbImage rgb = image.rgb();
            ClassMap map = slide ? model.segmentSliding(rgb, windowH, windowW, strideH, strideW) : model.segment(rgb);
            BufferedImage classPng = SegmentationImages.classIndex(map.classes(), map.height(), map.width(), model.classes());
            BufferedImage overlay = SegmentationImages.overlay(new Planar(3, rgb.height(), rgb.width(), rgb.rgb()), map.classes(), shown);
            String classes = artifacts.png(Artifacts.MASKS, image.sha256() + ".classes.png", classPng);
            String over = artifacts.png(Artifacts.OVERLAYS, image.sha256() + ".overlay.png", overlay);
            out.add(new Object[] {classes, over, ResultSchema.array(new ArrayList<>(map.present()))});
        }
        return out;
    }
}
