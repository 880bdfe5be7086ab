package org.vitornado.spark;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.cli.CliCommand;
import org.vitornado.cli.Failures;
import org.vitornado.cli.Main;
import org.vitornado.cli.RunOptions;
import org.vitornado.model.io.ModelException;
import org.vitornado.runtime.DeviceId;
import org.vitornado.spark.ImageListing.ImageFile;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code classify}, {@code segment} and {@code detect} share as Spark jobs: where the images are, where results
 * go, the Spark session, and the run itself. The order is the CLI's: outputs checked, images listed and the model
 * opened (on the driver: its task and labels) before any image runs.
 */
abstract class JobCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "as for vitornado: a checkpoint directory or .safetensors file that every executor can read at this path, or a preset")
    String model;

    @Option(names = {"--images", "--image"}, required = true, arity = "1..*", paramLabel = "DIR|FILE|GLOB",
            description = "folders (searched recursively), files or globs, local or any Hadoop file system (hdfs://, s3a://)")
    List<String> images;

    @Option(names = "--glob", paramLabel = "PATTERN",
            description = "run the files whose names match PATTERN (Spark's pathGlobFilter, e.g. '*.jpg'); default: png, jpg, jpeg, bmp and gif files")
    String glob;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "results/ (Parquet), masks/ and overlays/ (PNG, named by content hash), job.json; nothing is overwritten")
    String out;

    @Option(names = "--skip-existing", description = "run only the images without a row in OUT/results: resumes an interrupted job, or catches up with a folder that grew")
    boolean skipExisting;

    @Option(names = "--json", description = "also write the results as JSON lines (OUT/results-json/)")
    boolean json;

    @Option(names = "--commit-every", paramLabel = "N", defaultValue = "10000",
            description = "images per wave: each wave's rows are committed to the table when it ends (default 10000)")
    int commitEvery;

    @Option(names = "--images-per-task", paramLabel = "N",
            description = "images per Spark task (default: a wave split in two tasks per core, at least 64 images each)")
    int imagesPerTask;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]): local[N], spark://HOST:PORT, yarn, k8s://...")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "a Spark setting, as spark-submit's --conf (repeatable)")
    Map<String, String> conf = new LinkedHashMap<>();

    @Mixin
    RunOptions run;

    /** The task the model must answer. */
    abstract Task task();

    /** Images per execution. */
    abstract int batch();

    /** The input size ({@code segment --size}), or null for the model's. */
    int[] size() {
        return null;
    }

    /** The executors' work, once the driver knows the model (its labels, for {@code --classes}). */
    abstract ImageTask imageTask(VisionModel model);

    /** After the table is complete (segment's legend). */
    void finish(BatchInferenceJob job, VisionModel model, JobOutput output) throws IOException {
    }

    @Override
    public Integer call() throws Exception {
        if (commitEvery < 1) {
            throw usage("--commit-every must be >= 1, got " + commitEvery);
        }
        if (imagesPerTask < 0 || spec.commandLine().getParseResult().hasMatchedOption("--images-per-task") && imagesPerTask == 0) {
            throw usage("--images-per-task must be >= 1, got " + imagesPerTask);
        }
        validate();
        String command = spec.name();
        SparkSession spark = SparkSessions.start(master, conf, "vitornado-spark " + command);
        boolean local = spark.sparkContext().isLocal();
        VisionModel driverModel = null;
        try {
            JobOutput output = new JobOutput(out, spark.sparkContext().hadoopConfiguration());
            output.claim(command, model, skipExisting);
            long t0 = System.nanoTime();
            List<ImageFile> listed = ImageListing.list(spark, images, glob);
            long t1 = System.nanoTime();
            int[] size = size();
            ModelSpec modelSpec = ModelSpec.of(model, run.backend, run.device, run.precision, Math.min(batch(), listed.size()),
                    size == null ? 0 : size[0], size == null ? 0 : size[1]);
            // In local mode the driver is the executor: the model it opens here is the one the tasks use.
            driverModel = local ? ExecutorModels.get(modelSpec, false) : VisionModel.load(model, modelSpec.options(DeviceId.parse(modelSpec.device())));
            requireTask(driverModel);
            ImageTask imageTask = imageTask(driverModel);
            if (local && imageTask.prepareModel()) {
                driverModel.prepare();
            }
            out().printf("listed %d images in %.1f s; %s %s in %.1f s%n", listed.size(), (t1 - t0) / 1e9, local ? "opened" : "checked", model,
                    (System.nanoTime() - t1) / 1e9);
            out().println("running " + command + " on " + spark.sparkContext().master() + " (" + spark.sparkContext().defaultParallelism()
                    + " tasks at a time)" + (local ? ", model on " + driverModel.device() : ""));
            BatchInferenceJob job = new BatchInferenceJob(spark, output, modelSpec, imageTask, commitEvery, imagesPerTask);
            BatchInferenceJob.Summary s = job.run(listed, skipExisting, json, out());
            if (s.rows() > 0) {
                finish(job, driverModel, output);
            }
            out().printf("ran %d images in %.1f s (%.2f images/s); results: %s (Parquet, %d rows)%s%n", s.ran(), s.seconds(),
                    s.ran() / Math.max(1e-9, s.seconds()), output.results, s.rows(), json ? ", " + output.resultsJson + " (JSON lines)" : "");
            if (s.errors() > 0) {
                err().println(name() + ": " + s.errors() + " of " + s.rows() + " images could not be read (their rows have an error)");
                return Main.ERROR;
            }
            return Main.OK;
        } catch (Exception e) {
            // A task's failure arrives wrapped in a SparkException (thrown unchecked, from Scala) with the executor's
            // stack trace in its message: report the cause.
            if (!isSparkFailure(e)) {
                throw e;
            }
            throw new ModelException(taskFailure(e), e);
        } finally {
            if (local) {
                ExecutorModels.closeAll();
            } else if (driverModel != null) {
                driverModel.close();
            }
            spark.stop();
        }
    }

    /** Checks of the command's own options (before Spark starts). */
    void validate() {
    }

    private void requireTask(VisionModel m) {
        if (m.task() != task()) {
            throw new ModelException("--model " + model + " is not a " + switch (task()) {
                case CLASSIFICATION -> "classifier";
                case SEGMENTATION -> "segmenter";
                case FEATURES -> "backbone";
                case DETECTION -> "detector";
            } + " (it gives " + m.task().name().toLowerCase() + ")");
        }
    }

    private static boolean isSparkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SparkException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What made a Spark job fail, in one line: the deepest cause that says something, which for a task that failed
     * on an executor is the failure Spark quotes ("... most recent failure: Lost task 1.3 in stage 2.0 (TID 7)
     * (host executor 0): java.lang.IllegalStateException: what happened\n\tat ...").
     */
    static String taskFailure(Throwable e) {
        Throwable said = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                said = t;
            }
        }
        if (said == null) {
            return Failures.describe(e);
        }
        if (!(said instanceof SparkException)) {
            return Failures.describe(said);
        }
        String m = said.getMessage();
        int failure = m.indexOf("most recent failure: ");
        if (failure >= 0) {
            m = m.substring(failure + "most recent failure: ".length());
            int quoted = m.indexOf("): ");
            m = quoted >= 0 ? m.substring(quoted + 3) : m;
        }
        // One line, without the driver's stack trace or the terminal colours TornadoVM puts in its messages.
        m = m.split("\\R")[0].replaceAll("\\s*Driver stacktrace:.*$", "").replaceAll("\u001B\\[[0-9;]*m", "");
        m = Failures.withoutClassNames(m).strip();
        if (m.startsWith("UnknownReason")) {
            return "a task failed on an executor, with an error the driver cannot read (an exception class only the executors have): see the executors' logs";
        }
        return m.isEmpty() ? Failures.describe(said) : "a task failed: " + m;
    }}
