package org.vitornado.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import org.vitornado.model.io.ModelException;

/**
 * The images {@code --image} names: files as given, folders searched recursively for image files (by extension,
 * in sorted order). Only the paths are listed; images are decoded as they are run.
 */
public final class ImageFiles {

    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageFiles() {
    }

    static List<Path> expand(List<String> given) {
        List<Path> out = new ArrayList<>();
        for (String g : given) {
            Path p = Path.of(g);
            if (Files.isDirectory(p)) {
                int before = out.size();
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageFiles::isImage).sorted().forEach(out::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new ModelException("--image " + g + ": cannot list the folder (" + e.getMessage() + ")");
                }
                if (out.size() == before) {
                    throw new ModelException("--image " + g + ": no images in the folder (looked for " + String.join(", ", EXTENSIONS.stream().sorted().toList())
                            + " files, recursively)");
                }
            } else if (Files.isRegularFile(p)) {
                out.add(p);
            } else {
                throw new ModelException("--image " + g + ": no such file or directory");
            }
        }
        return out;
    }

    public static boolean isImage(Path p) {
        return isImageName(p.getFileName().toString());
    }

    /** A file name with an image extension, not hidden: {@code cat.JPG} yes, {@code .cat.png} and {@code notes.txt} no. */
    public static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && !name.startsWith(".") && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The file name without its extension: {@code a/b/cat.png} -> {@code cat}. */
    public static String stem(Path p) {
        return p.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    }
}
