package org.vitornado.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.vitornado.api.Classification;
import org.vitornado.api.Prediction;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;

/**
 * {@code classify}: the top-K labels of each image, best first, as {@code vitornado classify --json} prints them.
 * <pre>
 * labels   array&lt;struct&lt;index: int, label: string, score: float&gt;&gt;
 * </pre>
 */
record ClassifyTask(int top, int batch) implements ImageTask {

    static final StructType LABEL = DataTypes.createStructType(List.of(
            DataTypes.createStructField("index", DataTypes.IntegerType, false),
            DataTypes.createStructField("label", DataTypes.StringType, false),
            DataTypes.createStructField("score", DataTypes.FloatType, false)));

    @Override
    public Task task() {
        return Task.CLASSIFICATION;
    }

    @Override
    public List<StructField> columns() {
        return List.of(DataTypes.createStructField("labels", DataTypes.createArrayType(LABEL, false), true));
    }

    @Override
    public boolean prepareModel() {
        return true;
    }

    @Override
    public List<Object[]> run(VisionModel model, List<DecodedImage> images, Artifacts artifacts) {
        List<RgbImage> rgb = images.stream().map(DecodedImage::rgb).toList();
        List<Object[]> out = new ArrayList<>();
        for (Classification c : model.classifyImages(rgb, top)) {
            List<Row> labels = new ArrayList<>();
            for (Prediction p : c.top()) {
                labels.add(RowFactory.create(p.index(), p.label(), p.score()));
            }
            out.add(new Object[] {ResultSchema.array(labels)});
        }
        return out;
    }
}
