package org.vitornado.spark;

import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vitornado-spark detect}: {@code vitornado detect} over a folder of any size. */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Object detection of every image: COCO-style detections as Parquet rows, an overlay PNG named by content hash.")
final class DetectJobCommand extends JobCommand {

    @Option(names = "--score", paramLabel = "S", defaultValue = "0.5", description = "keep objects scoring at least S (default 0.5)")
    float score;

    @Option(names = "--classes", paramLabel = "K,...", description = "keep only these classes (indexes or label names)")
    String classes;

    @Option(names = "--masks", description = "add each object's mask as COCO RLE (Mask R-CNN only)")
    boolean masks;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "images per execution (default 1)")
    int batch;

    @Override
    void validate() {
        if (!(score >= 0 && score <= 1)) {
            throw usage("--score must be in [0, 1], got " + score);
        }
        if (batch < 1) {
            throw usage("--batch must be >= 1, got " + batch);
        }
    }

    @Override
    Task task() {
        return Task.DETECTION;
    }

    @Override
    int batch() {
        return batch;
    }

    @Override
    ImageTask imageTask(VisionModel model) {
        if (masks && !model.hasMasks()) {
            err().println(name() + ": --masks: " + model + " predicts no masks (DETR); the rows have boxes only");
        }
        return new DetectTask(score, parseClasses(classes, model.labels(), model.classes()), masks, batch);
    }
}
