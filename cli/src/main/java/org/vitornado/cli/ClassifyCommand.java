package org.vitornado.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.vitornado.api.Classification;
import org.vitornado.api.Prediction;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.source.Presets;

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
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Top-K labels and scores for images (files or folders).",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class ClassifyCommand extends CliCommand {

    static final int DEFAULT_BATCH = 8;

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a ViT classifier: a directory with model.safetensors + config.json (+ preprocessor_config.json), a .safetensors file next to its config, or a preset")
    String model;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "labels per image (default 5)")
    int top;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + DEFAULT_BATCH, description = "images per execution, at most the number of images (default 8)")
    int batch;

    @Option(names = "--json", description = "one JSON object per image on stdout ({\"file\", \"labels\": [{\"index\", \"label\", \"score\"}]}) instead of text")
    boolean json;

    @Mixin
    ImageRun images;

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
        List<Path> files = images.files();
        try (VisionModel m = images.open(model, run.options(Math.min(batch, files.size())), Task.CLASSIFICATION, name(), err())) {
            m.prepare();
            (json ? err() : out()).println("running on " + m.device());
            int effectiveBatch = Math.min(batch, files.size());
            Progress bar = new Progress(err(), images.progress, "images", files.size());
            for (int start = 0; start < files.size(); start += effectiveBatch) {
                List<RgbImage> decoded = new ArrayList<>();
                for (Path f : files.subList(start, Math.min(files.size(), start + effectiveBatch))) {
                    RgbImage image = images.read(f);
                    if (image != null) {
                        decoded.add(image);
                    } else {
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
        }
        return images.exitCode();
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
