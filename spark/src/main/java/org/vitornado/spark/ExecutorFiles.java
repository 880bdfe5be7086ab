package org.vitornado.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vitornado.model.io.ModelException;

/**
 * How tasks read images and write pictures: Hadoop's file systems (local, HDFS, S3...) with the job's
 * {@code spark.hadoop.*} settings, on a Configuration made once per executor (making one reads Hadoop's default
 * XML files, milliseconds that would otherwise be paid per task).
 */
final class ExecutorFiles implements Serializable {

    /** Larger files are rows with an error: no image vitornado decodes is this large (and it bounds a task's memory). */
    static final int MAX_FILE_BYTES = 1 << 29;

    private static final Map<Map<String, String>, Configuration> CONFIGURATIONS = new ConcurrentHashMap<>();

    /** {@code spark.hadoop.KEY=VALUE} settings of the job, as {@code KEY=VALUE}. */
    private final Map<String, String> hadoopSettings;

    ExecutorFiles(Map<String, String> hadoopSettings) {
        this.hadoopSettings = Map.copyOf(hadoopSettings);
    }

    Configuration configuration() {
        return CONFIGURATIONS.computeIfAbsent(hadoopSettings, s -> {
            Configuration c = new Configuration();
            s.forEach(c::set);
            return c;
        });
    }

    FileSystem fileSystem(Path p) throws IOException {
        return p.getFileSystem(configuration());
    }

    /** The bytes of a listed image; a file that cannot be read is a {@code ModelException} naming it. */
    byte[] read(String path) {
        Path p = new Path(path);
        try (FSDataInputStream in = fileSystem(p).open(p)) {
            byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
            if (content.length > MAX_FILE_BYTES) {
                throw new ModelException("image " + path + ": larger than any image vitornado decodes (over " + (MAX_FILE_BYTES >> 20) + " MB)");
            }
            return content;
        } catch (FileNotFoundException e) {
            throw new ModelException("image " + path + ": no such file (deleted since the job listed it?)");
        } catch (IOException e) {
            throw new ModelException("image " + path + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}
