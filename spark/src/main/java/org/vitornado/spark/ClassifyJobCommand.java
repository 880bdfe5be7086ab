package org.vitornado.spark;

import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vitornado-spark classify}: {@code vitornado classify} over a folder of any size, with its options. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Top-K labels and scores of every image, as rows of a Parquet table.")
final class ClassifyJobCommand extends JobCommand {

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "labels per image (default 5)")
    int top;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "8", description = "images per execution (default 8)")
    int batch;

    @Override
    void validate() {
        if (top < 1) {
            throw usage("--top must be >= 1, got " + top);
        }
        if (batch < 1) {
            throw usage("--batch must be >= 1, got " + batch);
        }
    }

    @Override
    Task task() {
        return Task.CLASSIFICATION;
    }

    @Override
    int batch() {
        return batch;
    }

    @Override
    ImageTask imageTask(VisionModel model) {
        return new ClassifyTask(top, Math.max(1, batch));
    }
}
