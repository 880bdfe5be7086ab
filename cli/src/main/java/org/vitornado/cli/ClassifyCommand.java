package org.vitornado.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.vitornado.api.Classification;
import org.vitornado.api.Prediction;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code classify}: the top-K labels of images, preprocessed as the checkpoint's config says. Images stream: they
 * are listed first, then decoded and run a batch at a time, and results print as each batch finishes, so a folder of
 * any size runs in bounded memory. An image that cannot be read is reported and skipped.
 */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = "Top-K labels and scores for images (files or folders).")
final class ClassifyCommand extends CliCommand {

    static final int DEFAULT_BATCH = 8;

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a ViT classifier: a directory with model.safetensors + config.json (+ preprocessor_config.json), a .safetensors file next to its config, or a preset")
    String model;

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "FILE|DIR",
            description = "images (PNG, JPEG, BMP, GIF), or folders searched recursively for them")
    List<String> images;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "labels per image")
    int top;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + DEFAULT_BATCH, description = "images per execution (at most the number of images)")
    int batch;

    @Option(names = "--json", description = "one JSON object per image on stdout ({\"file\", \"labels\": [{\"index\", \"label\", \"score\"}]}) instead of text")
    boolean json;

    @Option(names = "--progress", description = "a progress line on stderr even when it is not a terminal")
    boolean progress;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        if (top < 1) {
            throw usage("--top must be >= 1, got " + top);
        }
        if (batch < 1) {
            throw usage("--batch must be >= 1, got " + batch);
        }
        List<Path> files = ImageFiles.expand(images);
        try (VisionModel m = VisionModel.load(model, run.options(Math.min(batch, files.size())))) {
            if (m.task() != Task.CLASSIFICATION) {
                throw new ModelException("--model " + model + " is not a classifier (it gives " + m.task().name().toLowerCase() + "; use "
                        + (m.task() == Task.SEGMENTATION ? "segment" : "features") + ")");
            }
            m.prepare();
            (json ? err() : out()).println("running on " + m.device());
            int effectiveBatch = Math.min(batch, files.size());
            Progress bar = new Progress(err(), progress, "images", files.size());
            int failed = 0;
            for (int start = 0; start < files.size(); start += effectiveBatch) {
                List<RgbImage> decoded = new ArrayList<>();
                for (Path f : files.subList(start, Math.min(files.size(), start + effectiveBatch))) {
                    try {
                        decoded.add(RgbImage.read(f));
                    } catch (ModelException e) {
                        // One unreadable file does not stop a folder: it is reported, and the exit code says so.
                        err().println(name() + ": " + e.getMessage() + (files.size() > 1 ? " (skipped)" : ""));
                        failed++;
                        bar.advance();
                    }
                }
                for (Classification c : m.classifyImages(decoded, top)) {
                    print(c);
                    bar.advance();
                }
                out().flush();
            }
            bar.finish();
            if (failed > 0) {
                if (files.size() > 1) {
                    err().println(name() + ": " + failed + " of " + files.size() + " images could not be read (see above)");
                }
                return Main.ERROR;
            }
        }
        return Main.OK;
    }

    private void print(Classification c) {
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("file", c.source());
            JsonArray labels = new JsonArray();
            for (Prediction p : c.top()) {
                JsonObject l = new JsonObject();
                l.addProperty("index", p.index());
                l.addProperty("label", p.label());
                l.addProperty("score", p.score());
                labels.add(l);
            }
            o.add("labels", labels);
            out().println(o);
            return;
        }
        out().println(c.source());
        int rank = 1;
        for (Prediction p : c.top()) {
            out().printf("  %d. %-40s %.4f%n", rank++, p.label(), p.score());
        }
    }
}
