package org.vitornado.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.cli.Size;
import org.vitornado.model.segmentation.SegmentationImages;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vitornado-spark segment}: {@code vitornado segment} over a folder of any size. */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Semantic segmentation of every image: class-index and overlay PNGs named by content hash, a Parquet row each, a legend.")
final class SegmentJobCommand extends JobCommand {

    @Option(names = "--classes", paramLabel = "K,...", description = "draw only these classes in the overlay and legend (indexes or label names)")
    String classes;

    @Option(names = "--mode", paramLabel = "whole|slide", defaultValue = "whole",
            description = "whole: resize to --size (default: the model's), segment, resize back; slide: mmseg's sliding window at the image's own size")
    String mode;

    @Option(names = "--size", paramLabel = "HxW", converter = Size.Converter.class, description = "input size in whole mode (default: the model's)")
    Size inputSize;

    @Option(names = "--window", paramLabel = "HxW", converter = Size.Converter.class, description = "slide mode's crop (default: the model's size)")
    Size window;

    @Option(names = "--stride", paramLabel = "HxW", converter = Size.Converter.class, description = "slide mode's step (default: 2/3 of the window)")
    Size stride;

    @Override
    void validate() {
        if (!mode.equals("whole") && !mode.equals("slide")) {
            throw usage("--mode must be whole or slide, got '" + mode + "'");
        }
        if (mode.equals("whole") && (window != null || stride != null)) {
            throw usage("--window and --stride are for --mode slide");
        }
        if (mode.equals("slide") && inputSize != null) {
            throw usage("--size is for --mode whole (slide runs at the image's own size: use --window)");
        }
    }

    @Override
    Task task() {
        return Task.SEGMENTATION;
    }

    @Override
    int batch() {
        return 1;
    }

    @Override
    int[] size() {
        return inputSize == null ? null : new int[] {inputSize.height(), inputSize.width()};
    }

    @Override
    ImageTask imageTask(VisionModel model) {
        Set<Integer> shown = parseClasses(classes, model.labels(), model.classes());
        int[] modelSize = model.configuredSize();
        Size win = window != null ? window : new Size(modelSize[0], modelSize[1]);
        Size step = stride != null ? stride : new Size(Math.max(1, win.height() * 2 / 3), Math.max(1, win.width() * 2 / 3));
        return new SegmentTask(mode.equals("slide"), win.height(), win.width(), step.height(), step.width(), shown);
    }

    /** {@code OUT/legend.png}: the shown classes, or every class found in the table. */
    @Override
    void finish(BatchInferenceJob job, VisionModel model, JobOutput output) throws IOException {
        Set<Integer> shown = parseClasses(classes, model.labels(), model.classes());
        List<Integer> legend = shown != null ? shown.stream().sorted().toList() : job.classesPresent();
        Path target = output.legend;
        FileSystem fs = output.fileSystem();
        fs.setWriteChecksum(false);
        Path temp = new Path(target.getParent(), ".legend.png.part");
        try (OutputStream o = fs.create(temp, true)) {
            ImageIO.write(SegmentationImages.legend(legend, model.labels()), "png", o);
        }
        fs.delete(target, false);
        fs.rename(temp, target);
        out().println("wrote " + target + " (" + legend.size() + " classes)");
    }
}
