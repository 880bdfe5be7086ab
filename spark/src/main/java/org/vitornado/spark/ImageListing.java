package org.vitornado.spark;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.vitornado.cli.ImageFiles;
import org.vitornado.model.io.ModelException;

/**
 * The images a job runs on: Spark's {@code binaryFile} source over {@code --images}, folders searched recursively,
 * keeping the files {@code --glob} matches (Spark's {@code pathGlobFilter}) or, by default, the extensions
 * {@code vitornado} reads. Only names and lengths are read here; contents are read by the tasks.
 */
final class ImageListing {

    /** Larger files are rows with an error, never read: no image vitornado decodes is this large. */
    static final long MAX_FILE_BYTES = 1L << 29;

    /** A listed file. */
    record ImageFile(String path, long length) {
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
        Dataset<Row> files = reader.load(images.toArray(String[]::new));
        List<ImageFile> out = new ArrayList<>();
        Set<String> scanned = new HashSet<>();
        for (Row r : files.select("path", "length").collectAsList()) {
            String path = r.getString(0);
            scanned.add(path);
            if (glob != null || isImage(path)) {
                out.add(new ImageFile(path, r.getLong(1)));
            }
        }
        // The scan gives no row for an empty file; the file index lists it (as a URI).
        for (String uri : files.inputFiles()) {
            String path = new Path(URI.create(uri)).toString();
            if (!scanned.contains(path) && (glob != null || isImage(path))) {
                out.add(new ImageFile(path, 0));
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

    private static boolean isImage(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && ImageFiles.EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A listed path as an argument of {@code load}, which would read glob characters in file names as globs. */
    static String literal(String path) {
        return path.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
