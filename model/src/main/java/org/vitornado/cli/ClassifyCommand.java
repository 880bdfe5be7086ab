package org.vitornado.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.vitornado.model.Checkpoint;
import org.vitornado.model.image.ImageReader;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;

/** {@code classify}: top-K labels of images, preprocessed as the checkpoint's config says. */
final class ClassifyCommand implements Command {

    static final int MAX_BATCH = 8;

    @Override
    public String name() {
        return "classify";
    }

    @Override
    public String summary() {
        return "top-K labels and scores for images";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado classify --model PATH --image FILE... [--top K] [--batch B] [--backend jvm|tornado] [--device N]

                  --model PATH   a directory with model.safetensors + config.json (+ preprocessor_config.json),
                                 or a .safetensors file next to its config
                  --image FILE.. one or more images (PNG, JPEG, BMP, GIF)
                  --top K        labels to print per image (default 5)
                  --batch B      images per execution (default: up to %d)
                """.formatted(MAX_BATCH) + ExecutionFlags.USAGE;
    }

    @Override
    public int run(String[] argv, PrintStream out) {
        Set<String> accepted = new java.util.HashSet<>(Set.of("model", "image", "top", "batch"));
        accepted.addAll(ExecutionFlags.OPTIONS);
        Args args = Args.parse(name(), argv, accepted, Set.of());
        Checkpoint ckpt = Checkpoint.read(Path.of(args.required("model")));
        List<String> images = args.all("image");
        if (images.isEmpty()) {
            throw new UsageException(name() + ": --image is required");
        }
        if (ckpt.vit().numClasses() == 0) {
            throw new IllegalArgumentException(ckpt.files().config() + ": the model has no classifier head (num_classes 0)");
        }
        int top = Math.min(args.integer("top", 5, 1), ckpt.vit().numClasses());
        int batch = args.integer("batch", Math.min(images.size(), MAX_BATCH), 1);
        Preprocessing pre = ckpt.preprocessing();
        // Decode everything first: a bad image fails before the model is loaded.
        List<float[]> inputs = new ArrayList<>();
        for (String image : images) {
            inputs.add(pre.apply(ImageReader.readRgb(Path.of(image))));
        }
        ExecutionOptions execution = ExecutionFlags.announced(args, out);
        VitModel model = ckpt.load();
        int classes = ckpt.vit().numClasses();
        int perImage = 3 * pre.height() * pre.width();
        try (VitPlan plan = model.plan(batch, pre.height(), pre.width(), Set.of(VitOutput.PROBABILITIES), execution)) {
            for (int start = 0; start < inputs.size(); start += batch) {
                float[] pixels = new float[batch * perImage];
                int n = Math.min(batch, inputs.size() - start);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(inputs.get(start + i), 0, pixels, i * perImage, perImage);
                }
                plan.run(pixels);
                float[] probs = plan.output(VitOutput.PROBABILITIES);
                for (int i = 0; i < n; i++) {
                    out.println(images.get(start + i));
                    int offset = i * classes;
                    List<Integer> best = IntStream.range(0, classes).boxed()
                            .sorted(Comparator.comparingDouble((Integer k) -> -probs[offset + k])).limit(top).toList();
                    for (int rank = 0; rank < best.size(); rank++) {
                        int k = best.get(rank);
                        out.printf("  %d. %-40s %.4f%n", rank + 1, ckpt.label(k), probs[offset + k]);
                    }
                }
            }
        }
        return 0;
    }
}
