package org.vitornado.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.vitornado.api.Detections;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.cli.CocoResults;
import org.vitornado.cli.DetectionOverlay;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * {@code detect}: each image's objects in COCO's results format, the values {@code vitornado detect} writes to its
 * JSON (without {@code image_id}: the row has the path), and the overlay it draws, under the image's hash.
 * <pre>
 * detections    array&lt;struct&lt;category_id: int, category_name: string,
 *                            bbox: array&lt;double&gt; (x, y, width, height), score: double,
 *                            segmentation: struct&lt;size: array&lt;int&gt; (h, w), counts: string&gt; (COCO RLE, --masks)&gt;&gt;
 * overlay_png   string    OUT/overlays/SHA256.overlay.png
 * </pre>
 *
 * @param kept the classes kept, null for all
 */
record DetectTask(float score, Set<Integer> kept, boolean masks, int batch) implements ImageTask {

    static final StructType SEGMENTATION = DataTypes.createStructType(List.of(
            DataTypes.createStructField("size", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("counts", DataTypes.StringType, false)));

    static final StructType DETECTION = DataTypes.createStructType(List.of(
            DataTypes.createStructField("category_id", DataTypes.IntegerType, false),
            DataTypes.createStructField("category_name", DataTypes.StringType, false),
            DataTypes.createStructField("bbox", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            DataTypes.createStructField("score", DataTypes.DoubleType, false),
            DataTypes.createStructField("segmentation", SEGMENTATION, true)));

    @Override
    public Task task() {
        return Task.DETECTION;
    }

    @Override
    public List<StructField> columns() {
        return List.of(
                DataTypes.createStructField("detections", DataTypes.createArrayType(DETECTION, false), true),
                DataTypes.createStructField("overlay_png", DataTypes.StringType, true));
    }

    @Override
    public boolean prepareModel() {
        return true;
    }

    @Override
    public List<Object[]> run(VisionModel model, List<DecodedImage> images, Artifacts artifacts) throws IOException {
        List<RgbImage> rgb = images.stream().map(DecodedImage::rgb).toList();
        List<Detections> found = model.detectImages(rgb, score, true);
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Detections d = CocoResults.keepClasses(found.get(i), kept);
            List<Row> rows = new ArrayList<>();
            for (JsonElement e : CocoResults.of(model, "", d, masks)) {
                rows.add(row(e.getAsJsonObject()));
            }
            String overlay = artifacts.png(Artifacts.OVERLAYS, images.get(i).sha256() + ".overlay.png", DetectionOverlay.draw(rgb.get(i), d));
            out.add(new Object[] {ResultSchema.array(rows), overlay});
        }
        return out;
    }

    /** A COCO result object as a row of {@link #DETECTION}. */
    private static Row row(JsonObject o) {
        List<Double> bbox = new ArrayList<>();
        for (JsonElement v : o.getAsJsonArray("bbox")) {
            bbox.add(v.getAsDouble());
        }
        Row segmentation = null;
        if (o.has("segmentation")) {
            JsonObject s = o.getAsJsonObject("segmentation");
            JsonArray size = s.getAsJsonArray("size");
            segmentation = RowFactory.create(ResultSchema.array(List.of(size.get(0).getAsInt(), size.get(1).getAsInt())), s.get("counts").getAsString());
        }
        return RowFactory.create(o.get("category_id").getAsInt(), o.get("category_name").getAsString(), ResultSchema.array(bbox), o.get("score").getAsDouble(), segmentation);
    }
}
