package org.vitornado.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.vitornado.api.Classification;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.cli.eval.ConfusionChart;
import org.vitornado.cli.eval.Evaluation;
import org.vitornado.cli.eval.LabelledImages;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.source.Presets;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: the accuracy of a classifier on labelled images: top-1 and top-5, per class, and the confusion
 * matrix as a PNG; {@code --json} writes every figure and every prediction.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Top-1/top-5 and per-class accuracy of a classifier on labelled images; a confusion-matrix PNG.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class EvalCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET", description = "a ViT classifier checkpoint")
    String model;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "labelled images: DIR/CLASS/*.png (CLASS a label name, as in the config, or a class index), or any layout with --labels")
    Path images;

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "file,label rows (files relative to --images) instead of class folders")
    Path labels;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + ClassifyCommand.DEFAULT_BATCH, description = "images per execution (default 8)")
    int batch;

    @Option(names = "--confusion", paramLabel = "FILE.png", description = "write the confusion matrix as a picture (never overwritten)")
    Path confusion;

    @Option(names = "--json", paramLabel = "FILE", description = "write the figures and every image's prediction as JSON (never overwritten)")
    Path json;

    @Option(names = "--show", paramLabel = "N", defaultValue = "0",
            description = "print N images, spread evenly over the set, with their true and predicted labels")
    int show;

    @Option(names = "--progress", description = "a progress line on stderr even when it is not a terminal")
    boolean progress;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || show < 0) {
            throw usage("--batch must be >= 1 and --show >= 0");
        }
        if (!Files.isDirectory(images)) {
            throw new ModelException("--images " + images + ": no such directory");
        }
        for (Path p : new Path[] {confusion, json}) {
            if (p != null) {
                OutputFiles.requireAbsent(p);
            }
        }
        try (VisionModel m = VisionModel.load(model, run.options(batch))) {
            if (m.task() != Task.CLASSIFICATION) {
                throw new ModelException("--model " + model + " is not a classifier: eval measures classification accuracy");
            }
            LabelledImages set = labels != null ? LabelledImages.fromCsv(labels, images, m.labels(), m.classes())
                    : LabelledImages.fromFolders(images, m.labels(), m.classes(), ImageFiles::isImage);
            int n = set.files().size();
            Evaluation eval = new Evaluation(m.classes());
            out().println("running on " + m.device());
            Progress bar = new Progress(err(), progress, "images", n);
            JsonArray predictions = new JsonArray();
            int step = Math.min(batch, n);
            java.util.Set<Integer> shown = new java.util.HashSet<>();
            for (int i = 0; i < Math.min(show, n); i++) {
                shown.add((int) ((long) i * n / Math.min(show, n)));
            }
            if (show > 0) {
                out().printf("%-40s %-20s %-20s %s%n", "image", "true", "predicted", "score");
            }
            for (int start = 0; start < n; start += step) {
                List<RgbImage> decoded = new ArrayList<>();
                for (int i = start; i < Math.min(n, start + step); i++) {
                    decoded.add(RgbImage.read(set.files().get(i)));
                }
                List<Classification> results = m.classifyImages(decoded, Math.min(5, m.classes()));
                for (int i = 0; i < results.size(); i++) {
                    int index = start + i;
                    Classification c = results.get(i);
                    int truth = set.labels()[index];
                    eval.add(truth, c.top().stream().mapToInt(p -> p.index()).toArray());
                    JsonObject o = new JsonObject();
                    o.addProperty("file", images.relativize(set.files().get(index)).toString());
                    o.addProperty("label", truth);
                    o.addProperty("predicted", c.best().index());
                    o.addProperty("score", c.best().score());
                    predictions.add(o);
                    if (shown.contains(index)) {
                        out().printf("%-40s %-20s %-20s %.4f%s%n", images.relativize(set.files().get(index)), label(m, truth), c.best().label(),
                                c.best().score(), truth == c.best().index() ? "" : "   (wrong)");
                    }
                    bar.advance();
                }
            }
            bar.finish();
            report(m, eval);
            if (confusion != null) {
                List<String> names = new ArrayList<>();
                for (int k = 0; k < m.classes(); k++) {
                    names.add(label(m, k));
                }
                var picture = ConfusionChart.render(String.format(Locale.ROOT, "%s: top-1 %.2f%% on %d images", model, 100 * eval.top1(), n),
                        eval.confusion(), names);
                OutputFiles.write(confusion, false, o -> ImageIO.write(picture, "png", o));
                out().println("wrote " + confusion);
            }
            if (json != null) {
                String text = new GsonBuilder().setPrettyPrinting().create().toJson(toJson(m, eval, predictions)) + "\n";
                OutputFiles.write(json, false, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
                out().println("wrote " + json);
            }
        }
        return Main.OK;
    }

    private static String label(VisionModel m, int k) {
        return m.labels().getOrDefault(k, "class " + k);
    }

    private void report(VisionModel m, Evaluation eval) {
        var out = out();
        out.printf(Locale.ROOT, "%d images, %d classes: top-1 %.2f%% (%d), top-5 %.2f%% (%d)%n", eval.images(), eval.classes(), 100 * eval.top1(),
                eval.top1Hits(), 100 * eval.top5(), eval.top5Hits());
        out.printf("%-24s %7s %8s%n", "class", "images", "top-1");
        for (int k = 0; k < eval.classes(); k++) {
            if (eval.support(k) > 0) {
                out.printf(Locale.ROOT, "%-24s %7d %7.1f%%%n", label(m, k), eval.support(k), 100 * eval.accuracy(k));
            }
        }
    }

    private JsonObject toJson(VisionModel m, Evaluation eval, JsonArray predictions) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model);
        o.addProperty("images", eval.images());
        o.addProperty("top1", eval.top1());
        o.addProperty("top5", eval.top5());
        JsonArray perClass = new JsonArray();
        for (int k = 0; k < eval.classes(); k++) {
            JsonObject c = new JsonObject();
            c.addProperty("index", k);
            c.addProperty("label", label(m, k));
            c.addProperty("images", eval.support(k));
            if (eval.support(k) > 0) {
                c.addProperty("top1", eval.accuracy(k));
            }
            perClass.add(c);
        }
        o.add("per_class", perClass);
        JsonArray matrix = new JsonArray();
        for (long[] row : eval.confusion()) {
            JsonArray r = new JsonArray();
            for (long v : row) {
                r.add(v);
            }
            matrix.add(r);
        }
        o.add("confusion", matrix);
        o.add("predictions", predictions);
        return o;
    }
}
