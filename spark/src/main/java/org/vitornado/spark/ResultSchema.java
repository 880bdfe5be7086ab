package org.vitornado.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of the results table: one per image, whatever happened to it.
 * <pre>
 * path     string  not null   the file, as Spark lists it (file:/..., hdfs://..., s3a://...)
 * sha256   string             hex SHA-256 of the file's bytes (null only if it could not be read)
 * model    string  not null   the --model argument
 * width    int                the image's size (null when it could not be decoded)
 * height   int
 * error    string             why the image has no result (null when it has one)
 * ...                         the task's columns (null when error is set)
 * </pre>
 */
final class ResultSchema {

    static final int COMMON = 6;

    private ResultSchema() {
    }

    static StructType of(ImageTask task) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField("path", DataTypes.StringType, false),
                DataTypes.createStructField("sha256", DataTypes.StringType, true),
                DataTypes.createStructField("model", DataTypes.StringType, false),
                DataTypes.createStructField("width", DataTypes.IntegerType, true),
                DataTypes.createStructField("height", DataTypes.IntegerType, true),
                DataTypes.createStructField("error", DataTypes.StringType, true)));
        fields.addAll(task.columns());
        return DataTypes.createStructType(fields);
    }

    /** An array column's value: Spark's row encoder takes Scala sequences. */
    static scala.collection.immutable.Seq<Object> array(List<?> values) {
        return scala.jdk.javaapi.CollectionConverters.asScala(new ArrayList<Object>(values)).toList();
    }

    /** The row of an image that ran. */
    static Row result(DecodedImage image, String model, Object[] taskColumns) {
        Object[] values = new Object[COMMON + taskColumns.length];
        values[0] = image.path();
        values[1] = image.sha256();
        values[2] = model;
        values[3] = image.rgb().width();
        values[4] = image.rgb().height();
        System.arraycopy(taskColumns, 0, values, COMMON, taskColumns.length);
        return RowFactory.create(values);
    }

    /** The row of an image that could not be read or decoded. */
    static Row failure(String path, String sha256, String model, String error, int taskColumns) {
        Object[] values = new Object[COMMON + taskColumns];
        values[0] = path;
        values[1] = sha256;
        values[2] = model;
        values[5] = error;
        return RowFactory.create(values);
    }
}
