package org.vitornado.model.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of one model as users download them: a directory with {@code model.safetensors} and
 * {@code config.json} (and optionally {@code preprocessor_config.json}), as on the Hugging Face / timm Hub; or a
 * {@code NAME.safetensors} file next to its {@code NAME.json} (constructor arguments, as the reference fixtures
 * have) or next to a {@code config.json}.
 *
 * @param weights      the safetensors checkpoint
 * @param config       the model config
 * @param preprocessor Hugging Face {@code preprocessor_config.json}, or null
 */
public record ModelFiles(Path weights, Path config, Path preprocessor) {

    public static ModelFiles locate(Path model) {
        if (Files.isDirectory(model)) {
            Path weights = model.resolve("model.safetensors");
            if (!Files.exists(weights)) {
                List<Path> candidates = list(model).filter(p -> p.toString().endsWith(".safetensors"))
                        .filter(p -> !p.toString().endsWith(".io.safetensors")).toList();
                if (candidates.size() != 1) {
                    throw new ModelException("--model " + model + ": expected model.safetensors in the directory"
                            + (candidates.isEmpty() ? "" : " (found " + candidates.size() + " .safetensors files: name one)"));
                }
                weights = candidates.get(0);
            }
            Path config = model.resolve("config.json");
            String stem = stem(weights);
            if (!Files.exists(config) && Files.exists(model.resolve(stem + ".json"))) {
                config = model.resolve(stem + ".json");
            }
            return checked(model, weights, config, model.resolve("preprocessor_config.json"));
        }
        if (Files.isRegularFile(model) && model.toString().endsWith(".safetensors")) {
            Path dir = model.toAbsolutePath().getParent();
            Path config = dir.resolve(stem(model) + ".json");
            if (!Files.exists(config)) {
                config = dir.resolve("config.json");
            }
            return checked(model, model, config, dir.resolve("preprocessor_config.json"));
        }
        if (!Files.exists(model)) {
            throw new ModelException("--model " + model + ": no such file or directory");
        }
        throw new ModelException("--model " + model + ": expected a directory with model.safetensors and config.json, or a .safetensors file");
    }

    private static ModelFiles checked(Path model, Path weights, Path config, Path preprocessor) {
        if (!Files.isRegularFile(config)) {
            throw new ModelException("--model " + model + ": no config found next to " + weights.getFileName()
                    + " (expected config.json or " + stem(weights) + ".json)");
        }
        return new ModelFiles(weights, config, Files.isRegularFile(preprocessor) ? preprocessor : null);
    }

    private static String stem(Path weights) {
        String name = weights.getFileName().toString();
        return name.substring(0, name.length() - ".safetensors".length());
    }

    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList().stream();
        } catch (IOException e) {
            throw new ModelException("--model " + dir + ": cannot list directory (" + e.getMessage() + ")", e);
        }
    }
}
