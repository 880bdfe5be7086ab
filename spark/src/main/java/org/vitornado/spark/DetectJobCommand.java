package org.vitornado.spark;

import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.cli.DetectOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vitornado-spark detect}: {@code vitornado detect} over a folder of any size, with its options. */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Object detection of every image: COCO-style detections as Parquet rows, an overlay PNG named by content hash.")
final class DetectJobCommand extends JobCommand {

    @Mixin
    DetectOptions detect;

    @Override
    void validate() {
        String invalid = detect.invalid();
        if (invalid != null) {
            throw usage(invalid);
        }
    }

    @Override
    Task task() {
        return Task.DETECTION;
    }

    @Override
    int batch() {
        return detect.batch;
    }

    @Override
    ImageTask imageTask(VisionModel model) {
        if (detect.masks && !model.hasMasks()) {
            err().println(name() + ": --masks: " + this.model + " predicts no masks (DETR); the rows have boxes only");
        }
        return new DetectTask(detect.score, parseClasses(detect.classes, model.labels(), model.classes()), detect.masks, detect.batch);
    }
}
