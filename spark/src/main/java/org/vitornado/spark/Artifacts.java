package org.vitornado.spark;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.UUID;

import javax.imageio.ImageIO;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The pictures a job writes beside its table: {@code OUT/masks/HASH.classes.png}, {@code OUT/overlays/HASH.overlay.png}.
 * Keyed by the image's content hash, so an image met twice (a copy, a rerun) is drawn once. Written through Hadoop's
 * file systems (a local folder, HDFS, S3...), whole or not at all: to a hidden temporary name, then renamed.
 */
final class Artifacts implements Serializable {

    static final String MASKS = "masks";
    static final String OVERLAYS = "overlays";

    private final String root;
    private final ExecutorFiles files;
    private transient FileSystem fs;

    Artifacts(String root, ExecutorFiles files) {
        this.root = root;
        this.files = files;
    }

    /** Writes {@code image} as PNG to {@code folder/name} unless it is there; returns its full path. */
    String png(String folder, String name, RenderedImage image) throws IOException {
        Path target = new Path(new Path(root, folder), name);
        FileSystem fs = fileSystem(target);
        String qualified = fs.makeQualified(target).toString();
        if (fs.exists(target)) {
            return qualified;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        Path temp = new Path(target.getParent(), "." + name + "." + UUID.randomUUID() + ".part");
        try (OutputStream out = fs.create(temp, false)) {
            bytes.writeTo(out);
        }
        // Another task may have written the same image meanwhile: either copy will do.
        if (!fs.rename(temp, target)) {
            fs.delete(temp, false);
            if (!fs.exists(target)) {
                throw new IOException("cannot write " + qualified);
            }
        }
        return qualified;
    }

    private FileSystem fileSystem(Path p) throws IOException {
        if (fs == null) {
            fs = files.fileSystem(p);
            // No .crc sidecar beside each picture (Hadoop's local file system writes one by default).
            fs.setWriteChecksum(false);
        }
        return fs;
    }
}
