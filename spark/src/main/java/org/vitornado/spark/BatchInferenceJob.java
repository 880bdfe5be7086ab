package org.vitornado.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.vitornado.spark.ImageListing.ImageFile;

/**
 * The driver's side of a job: list the images, leave out those with results (--skip-existing), and run the rest in
 * waves of {@code --commit-every} images. Each wave is one Spark job whose rows are appended to the Parquet table
 * when all of its tasks succeed, so an interrupted run loses at most the wave it was in.
 */
final class BatchInferenceJob {

    /** What a finished run did. */
    record Summary(int listed, int skipped, int ran, long rows, long errors, double seconds) {
    }

    private final SparkSession spark;
    private final JobOutput output;
    private final ModelSpec spec;
    private final ImageTask task;
    private final int commitEvery;

    BatchInferenceJob(SparkSession spark, JobOutput output, ModelSpec spec, ImageTask task, int commitEvery) {
        this.spark = spark;
        this.output = output;
        this.spec = spec;
        this.task = task;
        this.commitEvery = commitEvery;
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
        List<Row> unread = new ArrayList<>();
        List<String> readable = new ArrayList<>();
        for (ImageFile f : todo) {
            // Spark's file scan never reads an empty file (it gives no row), nor one over 2 GB (it fails the task).
            if (f.length() == 0) {
                unread.add(ResultSchema.failure(f.path(), ImagePartition.sha256(new byte[0]), spec.model(), "image " + f.path() + ": the file is empty",
                        task.columns().size()));
            } else if (f.length() > ImageListing.MAX_FILE_BYTES) {
                unread.add(ResultSchema.failure(f.path(), null, spec.model(), "image " + f.path() + ": " + f.length()
                        + " bytes, larger than any image vitornado decodes (" + ImageListing.MAX_FILE_BYTES + ")", task.columns().size()));
            } else {
                readable.add(f.path());
            }
        }
        if (!unread.isEmpty()) {
            spark.createDataFrame(unread, schema).write().mode(SaveMode.Append).parquet(results);
        }
        int waves = (readable.size() + commitEvery - 1) / commitEvery;
        ImagePartition partition = new ImagePartition(spec, task, new Artifacts(output.root.toString()));
        for (int w = 0; w < waves; w++) {
            List<String> wave = readable.subList(w * commitEvery, Math.min(readable.size(), (w + 1) * commitEvery));
            long w0 = System.nanoTime();
            Dataset<Row> files = spark.read().format("binaryFile")
                    // A file deleted since the listing is left out, not a failed job.
                    .option("ignoreMissingFiles", "true")
                    .load(wave.stream().map(ImageListing::literal).toArray(String[]::new));
            files.mapPartitions(partition, Encoders.row(schema)).write().mode(SaveMode.Append).parquet(results);
            double s = (System.nanoTime() - w0) / 1e9;
            log.printf("wave %d/%d: %d images in %.1f s (%.2f images/s)%n", w + 1, waves, wave.size(), s, wave.size() / s);
            log.flush();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        if (!output.hasResults()) {
            return new Summary(listed.size(), listed.size() - todo.size(), todo.size(), 0, 0, seconds);
        }
        Dataset<Row> all = spark.read().parquet(results);
        long rows = all.count();
        long errors = all.where(col("error").isNotNull()).count();
        if (json) {
            // Derived from the whole table each time, so it always holds every row (ours to rewrite).
            all.write().mode(SaveMode.Overwrite).json(output.resultsJson.toString());
        }
        return new Summary(listed.size(), listed.size() - todo.size(), todo.size(), rows, errors, seconds);
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
