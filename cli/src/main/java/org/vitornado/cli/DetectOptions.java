package org.vitornado.cli;

import picocli.CommandLine.Option;

/**
 * The options of detection, shared by {@code vitornado detect} and {@code vitornado-spark detect}: which objects to
 * keep, whether masks go into the results, and the batch.
 */
public final class DetectOptions {

    @Option(names = "--score", paramLabel = "S", defaultValue = "0.5", description = "keep objects scoring at least S (default 0.5, detectron2's demo)")
    public float score;

    @Option(names = "--classes", paramLabel = "K,...", description = "keep only these classes (indexes or label names)")
    public String classes;

    @Option(names = "--masks", description = "add each object's mask to the JSON, as COCO RLE ({\"size\": [h, w], \"counts\": ...}); Mask R-CNN only")
    public boolean masks;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "images per execution (default 1)")
    public int batch;

    /** Why these options are out of range, or null. */
    public String invalid() {
        if (!(score >= 0 && score <= 1)) {
            return "--score must be in [0, 1], got " + score;
        }
        if (batch < 1) {
            return "--batch must be >= 1, got " + batch;
        }
        return null;
    }
}
