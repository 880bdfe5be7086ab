package org.vitornado.cli.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.vitornado.model.io.ModelException;

/**
 * The images of an evaluation and their true classes: from folder names ({@code DIR/CLASS/image.png}, as
 * torchvision's {@code ImageFolder} reads them) or from a CSV of {@code file,label} rows. A label is a class index, a
 * label name of the model, or a name that matches one once case and punctuation are ignored ({@code ankle_boot} for
 * {@code Ankle boot}).
 */
public record LabelledImages(List<Path> files, int[] labels) {

    /** One labelled image. */
    public record Entry(Path file, int label) {
    }

    public static LabelledImages fromFolders(Path dir, Map<Integer, String> names, int classes, java.util.function.Predicate<Path> isImage) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (Stream<Path> subdirs = Files.list(dir)) {
            for (Path sub : subdirs.filter(Files::isDirectory).sorted().toList()) {
                int k = classOf(sub.getFileName().toString(), names, classes, "folder " + sub);
                try (Stream<Path> walk = Files.walk(sub)) {
                    for (Path f : walk.filter(Files::isRegularFile).filter(isImage).sorted().toList()) {
                        files.add(f);
                        labels.add(k);
                    }
                }
            }
        } catch (IOException e) {
            throw new ModelException("--images " + dir + ": cannot list it (" + e.getMessage() + ")");
        }
        if (files.isEmpty()) {
            throw new ModelException("--images " + dir + ": no images in class folders (expected DIR/CLASS/image.png, or give --labels FILE.csv)");
        }
        return new LabelledImages(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@code file,label} rows (a header row is skipped when its label column is not a label); files relative to {@code dir}. */
    public static LabelledImages fromCsv(Path csv, Path dir, Map<Integer, String> names, int classes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException("--labels " + csv + ": cannot read it (" + e.getMessage() + ")");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] cols = line.split(",", -1);
            if (cols.length < 2) {
                throw new ModelException("--labels " + csv + " line " + (i + 1) + ": expected file,label");
            }
            String label = cols[1].strip().replaceAll("^\"|\"$", "");
            if (i == 0 && (label.equalsIgnoreCase("label") || label.equalsIgnoreCase("class"))) {
                continue;
            }
            Path f = dir.resolve(cols[0].strip().replaceAll("^\"|\"$", ""));
            if (!Files.isRegularFile(f)) {
                throw new ModelException("--labels " + csv + " line " + (i + 1) + ": " + f + ": no such file");
            }
            files.add(f);
            labels.add(classOf(label, names, classes, "--labels " + csv + " line " + (i + 1)));
        }
        if (files.isEmpty()) {
            throw new ModelException("--labels " + csv + ": no rows");
        }
        return new LabelledImages(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The class {@code label} names. */
    static int classOf(String label, Map<Integer, String> names, int classes, String where) {
        if (label.matches("\\d{1,9}")) {
            int k = Integer.parseInt(label);
            if (k < classes) {
                return k;
            }
        }
        for (var e : names.entrySet()) {
            if (e.getValue().equals(label)) {
                return e.getKey();
            }
        }
        for (var e : names.entrySet()) {
            if (normalise(e.getValue()).equals(normalise(label))) {
                return e.getKey();
            }
        }
        throw new ModelException(where + ": '" + label + "' is not a class of the model (" + (names.isEmpty()
                ? "it has no label names: use class indexes 0.." + (classes - 1)
                : "its labels: " + String.join(", ", names.values())) + ")");
    }

    static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
