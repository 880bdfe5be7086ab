package org.vitornado.spark;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.SparkSession;
import org.vitornado.cli.ImageFiles;
import org.vitornado.model.io.ModelException;

/**
 * The images a job runs on: Spark's {@code binaryFile} source over {@code --images}, folders searched recursively,
 * keeping the files {@code --glob} matches (Spark's {@code pathGlobFilter}) or, by default, the extensions
 * {@code vitornado} reads. Only names are listed here, on the driver; the tasks read the contents
 * ({@link ExecutorFiles}). Reading them through {@code binaryFile} again would list every file once more: given
 * explicit paths, Spark lists them with a job of one task per file (measured: 2,000 files took 19 s, most of it
 * deserialising the Hadoop configuration for each of those tasks).
 */
final class ImageListing {

    /** A listed file. */
    record ImageFile(String path) implements java.io.Serializable {
    }

    private ImageListing() {
    }

    static List<ImageFile> list(SparkSession spark, List<String> images, String glob) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (String given : images) {
            Path p = new Path(given);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] found = fs.globStatus(p);
            if (found == null || found.length == 0) {
                throw new ModelException("--images " + given + ": no such file or directory");
            }
        }
        DataFrameReader reader = spark.read().format("binaryFile").option("recursiveFileLookup", "true");
        if (glob != null) {
            reader = reader.option("pathGlobFilter", glob);
        }
        // The source's file index, listed on the driver: no Spark job, and empty files included (a scan of the
        // source would give them no row).
        List<ImageFile> out = new ArrayList<>();
        for (String uri : reader.load(images.toArray(String[]::new)).inputFiles()) {
            String path = new Path(URI.create(uri)).toString();
            if (glob != null || ImageFiles.isImageName(new Path(path).getName())) {
                out.add(new ImageFile(path));
            }
        }
        if (out.isEmpty()) {
            throw new ModelException("--images " + String.join(" ", images) + ": no images (looked for "
                    + (glob != null ? "files matching " + glob : String.join(", ", ImageFiles.EXTENSIONS.stream().sorted().toList()) + " files")
                    + ", recursively)");
        }
        out.sort((a, b) -> a.path().compareTo(b.path()));
        return out;
    }
}
