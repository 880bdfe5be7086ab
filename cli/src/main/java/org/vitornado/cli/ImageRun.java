package org.vitornado.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

import org.vitornado.api.Options;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;

import picocli.CommandLine.Option;

/**
 * What the commands that run a model over images share: {@code --image} (files and folders) and
 * {@code --progress}, opening the model for the task the command needs, and reading each image so that one that
 * cannot be read is reported and skipped while the rest run.
 */
final class ImageRun {

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "FILE|DIR",
            description = "images (PNG, JPEG, BMP, GIF), or folders searched recursively for them")
    List<String> images;

    @Option(names = "--progress", description = "a progress line on stderr even when it is not a terminal")
    boolean progress;

    private PrintWriter err;
    private String command;
    private int total;
    private int failed;

    /** The images {@code --image} names, in order. */
    List<Path> files() {
        List<Path> files = ImageFiles.expand(images);
        total = files.size();
        return files;
    }

    /** The model, which must answer {@code task}: a one-line error says which command it needs otherwise. */
    VisionModel open(String model, Options options, Task task, String command, PrintWriter err) {
        this.err = err;
        this.command = command;
        VisionModel m = VisionModel.load(model, options);
        if (m.task() != task) {
            m.close();
            throw new ModelException("--model " + model + " is not a " + switch (task) {
                case CLASSIFICATION -> "classifier";
                case SEGMENTATION -> "segmenter";
                case FEATURES -> "backbone";
                case DETECTION -> "detector";
            } + " (it gives " + m.task().name().toLowerCase() + "; use " + switch (m.task()) {
                case CLASSIFICATION -> "classify";
                case SEGMENTATION -> "segment";
                case FEATURES -> "features";
                case DETECTION -> "detect";
            } + ")");
        }
        return m;
    }

    /** The decoded image, or {@code null} after reporting why it cannot be read. */
    RgbImage read(Path file) {
        try {
            return RgbImage.read(file);
        } catch (ModelException e) {
            err.println(command + ": " + e.getMessage() + (total > 1 ? " (skipped)" : ""));
            failed++;
            return null;
        }
    }

    /** The exit code: 2 when an image could not be read, with a count when there were several. */
    int exitCode() {
        if (failed == 0) {
            return Main.OK;
        }
        if (total > 1) {
            err.println(command + ": " + failed + " of " + total + " images could not be read (see above)");
        }
        return Main.ERROR;
    }
}
