package org.vitornado.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.vitornado.spark.ImageListing.ImageFile;

import scala.Tuple2;

/**
 * The driver's side of a job: leave out the listed images with results (--skip-existing), and run the rest in waves
 * of {@code --commit-every} images, {@code --images-per-task} images to a Spark task. Each wave is one Spark job whose
 * rows are appended to the Parquet table when all of its tasks succeed, so an interrupted run loses at most the wave
 * it was in.
 */
final class BatchInferenceJob {

    static final int MIN_IMAGES_PER_TASK = 64;

    /** What a finished run did. */
    record Summary(int ran, long rows, long errors, double seconds) {
    }

    private final SparkSession spark;
    private final JobOutput output;
    private final ModelSpec spec;
    private final ImageTask task;
    private final int commitEvery;
    private final int imagesPerTask;
    private final ExecutorFiles files;

    BatchInferenceJob(SparkSession spark, JobOutput output, ModelSpec spec, ImageTask task, int commitEvery, int imagesPerTask) {
        this.spark = spark;
        this.output = output;
        this.spec = spec;
        this.task = task;
        this.commitEvery = commitEvery;
        this.imagesPerTask = imagesPerTask;
        this.files = new ExecutorFiles(hadoopSettings(spark));
    }

    /** The job's {@code spark.hadoop.*} settings, for the executors' file systems. */
    private static Map<String, String> hadoopSettings(SparkSession spark) {
        Map<String, String> out = new HashMap<>();
        for (Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
            if (kv._1().startsWith("spark.hadoop.")) {
                out.put(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return out;
    }

    Summary run(List<ImageFile> listed, boolean skipExisting, boolean json, PrintWriter log) throws IOException {
        StructType schema = ResultSchema.of(task);
        String results = output.results.toString();
        Set<String> done = new HashSet<>();
        if (skipExisting && output.hasResults()) {
            for (Row r : spark.read().parquet(results).select("path").collectAsList()) {
                done.add(r.getString(0));
            }
        }
        List<ImageFile> todo = listed.stream().filter(f -> !done.contains(f.path())).toList();
        log.println("images: " + listed.size() + (done.isEmpty() ? "" : ", " + (listed.size() - todo.size()) + " with results already (--skip-existing)")
                + ", " + todo.size() + " to run");

        long t0 = System.nanoTime();
        int waves = (todo.size() + commitEvery - 1) / commitEvery;
        ImagePartition partition = new ImagePartition(spec, task, new Artifacts(output.root.toString(), files), files);
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int parallelism = context.defaultParallelism();
        for (int w = 0; w < waves; w++) {
            List<ImageFile> wave = todo.subList(w * commitEvery, Math.min(todo.size(), (w + 1) * commitEvery));
            long w0 = System.nanoTime();
            // Contiguous slices of the sorted listing, one Spark task each: by default two per core, but at least
            // 64 images each (a task costs tens of milliseconds: its Parquet file and commit).
            int perTask = imagesPerTask > 0 ? imagesPerTask
                    : Math.max(MIN_IMAGES_PER_TASK, (wave.size() + 2 * parallelism - 1) / (2 * parallelism));
            int tasks = (wave.size() + perTask - 1) / perTask;
            JavaRDD<Row> rows = context.parallelize(new ArrayList<>(wave), tasks).mapPartitions(partition);
            spark.createDataFrame(rows, schema).write().mode(SaveMode.Append).parquet(results);
            double s = (System.nanoTime() - w0) / 1e9;
            log.printf("wave %d/%d: %d images in %d tasks, %.1f s (%.2f images/s)%n", w + 1, waves, wave.size(), tasks, s, wave.size() / s);
            log.flush();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        if (!output.hasResults()) {
            return new Summary(todo.size(), 0, 0, seconds);
        }
        Dataset<Row> all = spark.read().parquet(results);
        // One pass over the table: count(error) counts the rows whose error is not null.
        Row counts = all.agg(count(lit(1)), count(col("error"))).first();
        long rows = counts.getLong(0);
        long errors = counts.getLong(1);
        if (json) {
            // Derived from the whole table each time, so it always holds every row (ours to rewrite).
            all.write().mode(SaveMode.Overwrite).json(output.resultsJson.toString());
        }
        return new Summary(todo.size(), rows, errors, seconds);
    }

    /** The classes found in any image of the table (for segment's legend). */
    List<Integer> classesPresent() {
        List<Integer> out = new ArrayList<>();
        for (Row r : spark.read().parquet(output.results.toString()).where(col("classes").isNotNull())
                .select(explode(col("classes"))).distinct().collectAsList()) {
            out.add(r.getInt(0));
        }
        out.sort(null);
        return out;
    }
}
