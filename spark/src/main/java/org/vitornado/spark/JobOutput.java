package org.vitornado.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The job's output folder ({@code --out}), on any Hadoop file system:
 * <pre>
 * OUT/job.json                 what wrote it: command and model (a resumed run must match)
 * OUT/results/                 the results table, Parquet, one row per image ({@link ResultSchema})
 * OUT/results-json/            the same rows as JSON lines (--json)
 * OUT/masks/SHA256.classes.png (segment)
 * OUT/overlays/SHA256.overlay.png (segment, detect)
 * OUT/legend.png               (segment) the colours of the classes found
 * </pre>
 * Nothing is overwritten: a second run into the same folder needs {@code --skip-existing}, and then the same
 * command and model.
 */
final class JobOutput {

    final Path root;
    final Path results;
    final Path resultsJson;
    final Path legend;
    private final Path jobFile;
    private final FileSystem fs;

    JobOutput(String out, Configuration conf) throws IOException {
        Path given = new Path(out);
        this.fs = given.getFileSystem(conf);
        fs.setWriteChecksum(false);
        this.root = fs.makeQualified(given);
        this.results = new Path(root, "results");
        this.resultsJson = new Path(root, "results-json");
        this.legend = new Path(root, "legend.png");
        this.jobFile = new Path(root, "job.json");
    }

    /**
     * Checks that this run may write here, before anything is read or loaded, and records what writes it: a
     * folder with results needs {@code --skip-existing} and the same command and model.
     */
    void claim(String command, String model, boolean skipExisting) throws IOException {
        if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
            throw new ModelException("--out " + root + ": exists and is not a folder");
        }
        if (fs.exists(jobFile)) {
            JsonObject job;
            try (FSDataInputStream in = fs.open(jobFile)) {
                job = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (RuntimeException e) {
                throw new ModelException("--out " + root + ": job.json is not what this job writes (" + e.getMessage() + "): use another --out");
            }
            String was = job.has("command") ? job.get("command").getAsString() : "?";
            String wasModel = job.has("model") ? job.get("model").getAsString() : "?";
            if (!skipExisting) {
                throw new ModelException("--out " + root + ": holds the results of an earlier " + was + " job (nothing is overwritten): "
                        + "use --skip-existing to resume it, or another --out");
            }
            if (!was.equals(command) || !wasModel.equals(model)) {
                throw new ModelException("--out " + root + ": holds the results of " + was + " --model " + wasModel
                        + ", not of " + command + " --model " + model + ": use another --out");
            }
        } else if (fs.exists(results)) {
            throw new ModelException("--out " + root + ": has a results folder this job did not write: use another --out");
        } else {
            fs.mkdirs(root);
            JsonObject job = new JsonObject();
            job.addProperty("command", command);
            job.addProperty("model", model);
            Path temp = new Path(root, ".job.json.part");
            try (OutputStream o = fs.create(temp, true)) {
                o.write((job + "\n").getBytes(StandardCharsets.UTF_8));
            }
            fs.rename(temp, jobFile);
        }
        // A killed run's uncommitted output: left in results/_temporary, it would be committed by the next append.
        fs.delete(new Path(results, "_temporary"), true);
    }

    FileSystem fileSystem() {
        return fs;
    }

    boolean hasResults() throws IOException {
        return fs.exists(results) && fs.listStatus(results, p -> p.getName().endsWith(".parquet")).length > 0;
    }
}
