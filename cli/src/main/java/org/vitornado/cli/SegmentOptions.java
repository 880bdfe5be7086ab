package org.vitornado.cli;

import picocli.CommandLine.Option;

/**
 * The options of semantic segmentation, shared by {@code vitornado segment} and {@code vitornado-spark segment}:
 * which classes to draw, whole-image or sliding-window inference, and their sizes.
 */
public final class SegmentOptions {

    @Option(names = "--classes", paramLabel = "K,...", description = "draw only these classes in the overlay and legend (indexes or label names)")
    public String classes;

    @Option(names = "--mode", paramLabel = "whole|slide", defaultValue = "whole",
            description = "whole: resize the image to --size (default: the model's), segment, resize the scores back; "
                    + "slide: mmseg's sliding window over the image at its own size, --window every --stride, overlapping scores averaged")
    public String mode;

    @Option(names = "--size", paramLabel = "HxW", converter = Size.Converter.class, description = "input size in whole mode (default: the model's)")
    public Size size;

    @Option(names = "--window", paramLabel = "HxW", converter = Size.Converter.class, description = "slide mode's crop (default: the model's size)")
    public Size window;

    @Option(names = "--stride", paramLabel = "HxW", converter = Size.Converter.class, description = "slide mode's step (default: 2/3 of the window)")
    public Size stride;

    /** Why these options do not go together, or null. */
    public String invalid() {
        if (!mode.equals("whole") && !mode.equals("slide")) {
            return "--mode must be whole or slide, got '" + mode + "'";
        }
        if (!slide() && (window != null || stride != null)) {
            return "--window and --stride are for --mode slide";
        }
        if (slide() && size != null) {
            return "--size is for --mode whole (slide runs at the image's own size: use --window)";
        }
        return null;
    }

    public boolean slide() {
        return mode.equals("slide");
    }

    /** The sliding window: {@code --window}, else the model's input size ({@code [height, width]}). */
    public Size window(int[] modelSize) {
        return window != null ? window : new Size(modelSize[0], modelSize[1]);
    }

    /** The sliding window's step: {@code --stride}, else 2/3 of the window. */
    public Size stride(Size window) {
        return stride != null ? stride : new Size(Math.max(1, window.height() * 2 / 3), Math.max(1, window.width() * 2 / 3));
    }
}
