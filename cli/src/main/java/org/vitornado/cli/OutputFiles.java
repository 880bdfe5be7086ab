package org.vitornado.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * How commands write results: never over a file that exists (unless the command was told to replace its own
 * output), and never half-written. Each file is written to a hidden temporary name in the same folder and renamed
 * into place when complete, so a killed run leaves either the whole file or none; a later run removes the
 * temporaries a killed run left.
 */
final class OutputFiles {

    static final String TEMP_PREFIX = ".vitornado-";
    static final String TEMP_SUFFIX = ".part";

    private OutputFiles() {
    }

    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes a whole file at the path it is given. */
    @FunctionalInterface
    interface FileWriter {
        void write(Path file) throws IOException;
    }

    /** Writes {@code target} atomically from a stream; it must not exist unless {@code replace}. */
    static void write(Path target, boolean replace, Writer writer) throws IOException {
        writeFile(target, replace, file -> {
            try (OutputStream out = Files.newOutputStream(file)) {
                writer.write(out);
            }
        });
    }

    /** Writes {@code target} atomically; it must not exist unless {@code replace}. */
    static void writeFile(Path target, boolean replace, FileWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (!replace && Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path tmp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX);
        try {
            writer.write(tmp);
            // A temporary file is created owner-only (0600); an output is an ordinary file (0644).
            if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                if (replace) {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    // createLink fails if the target appeared meanwhile; a rename would silently replace it.
                    Files.createLink(target, tmp);
                }
            } catch (AtomicMoveNotSupportedException | UnsupportedOperationException e) {
                Files.move(tmp, target, replace ? new StandardCopyOption[] {StandardCopyOption.REPLACE_EXISTING} : new StandardCopyOption[0]);
            } catch (IOException e) {
                if (e instanceof FileAlreadyExistsException) {
                    throw e;
                }
                // File systems without hard links: a plain rename, after checking again.
                if (!replace && Files.exists(target)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the temporaries a killed run left in {@code dir}. */
    static void removeStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(TEMP_PREFIX) && n.endsWith(TEMP_SUFFIX)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Each image's output files, {@code out/STEM + suffix} for every suffix, checked before any model runs: no two
     * images may share an output, and unless {@code skipExisting} none may exist yet. {@code verb} names the command's
     * work in the message ("segment them into different --out folders").
     */
    static java.util.List<Path[]> targets(java.util.List<Path> images, Path out, boolean skipExisting, String verb, String... suffixes)
            throws FileAlreadyExistsException {
        java.util.List<Path[]> targets = new java.util.ArrayList<>();
        java.util.Set<Path> seen = new java.util.LinkedHashSet<>();
        for (Path image : images) {
            String stem = ImageFiles.stem(image);
            Path[] t = new Path[suffixes.length];
            for (int i = 0; i < suffixes.length; i++) {
                t[i] = out.resolve(stem + suffixes[i]);
                if (!seen.add(t[i])) {
                    throw new org.vitornado.model.io.ModelException("two images would both write " + t[i] + ": give them different names, or " + verb
                            + " them into different --out folders");
                }
            }
            targets.add(t);
        }
        if (!skipExisting) {
            for (Path p : seen) {
                requireAbsent(p);
            }
        }
        return targets;
    }

    /** Refuses {@code p} when it exists: checked before any model runs, so no work is wasted. */
    static void requireAbsent(Path p) throws FileAlreadyExistsException {
        if (Files.exists(p)) {
            throw new FileAlreadyExistsException(p.toString());
        }
    }
}
