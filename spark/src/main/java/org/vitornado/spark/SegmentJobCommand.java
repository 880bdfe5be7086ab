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
import org.vitornado.cli.SegmentOptions;
import org.vitornado.cli.Size;
import org.vitornado.model.segmentation.SegmentationImages;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vitornado-spark segment}: {@code vitornado segment} over a folder of any size, with its options. */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Semantic segmentation of every image: class-index and overlay PNGs named by content hash, a Parquet row each, a legend.")
final class SegmentJobCommand extends JobCommand {

    @Mixin
    SegmentOptions segment;

    /** {@code --classes} as class indexes (null for all), once the model's labels are known. */
    private Set<Integer> shown;

    @Override
    void validate() {
        String invalid = segment.invalid();
        if (invalid != null) {
            throw usage(invalid);
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
        return segment.size == null ? null : new int[] {segment.size.height(), segment.size.width()};
    }

    @Override
    ImageTask imageTask(VisionModel model) {
        shown = parseClasses(segment.classes, model.labels(), model.classes());
        Size win = segment.window(model.configuredSize());
        Size step = segment.stride(win);
        return new SegmentTask(segment.slide(), win.height(), win.width(), step.height(), step.width(), shown);
    }

    /** {@code OUT/legend.png}: the shown classes, or every class found in the table. */
    @Override
    void finish(BatchInferenceJob job, VisionModel model, JobOutput output) throws IOException {
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
