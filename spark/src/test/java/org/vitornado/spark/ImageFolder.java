package org.vitornado.spark;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * A folder of images as users have them: the bundled Fashion-MNIST test images (28x28 grey PNGs), pictures of many
 * sizes in PNG, JPEG, BMP and GIF, nested folders, names with spaces and glob characters, files that are not images
 * (left out by extension), and corrupt ones (truncated PNG and JPEG, garbage, an empty file).
 */
final class ImageFolder {

    /** The files that cannot be decoded. */
    final List<Path> corrupt = new ArrayList<>();
    final Path root;

    private ImageFolder(Path root) {
        this.root = root;
    }

    static ImageFolder generate(Path root, Path fashionImages, int pictures, long seed) throws IOException {
        ImageFolder f = new ImageFolder(root);
        Path fashion = Files.createDirectories(root.resolve("fashion"));
        try (Stream<Path> walk = Files.walk(fashionImages)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                Files.copy(p, fashion.resolve(p.getParent().getFileName() + "-" + p.getFileName()));
            }
        }
        Random r = new Random(seed);
        String[] formats = {"png", "jpg", "bmp", "gif"};
        for (int i = 0; i < pictures; i++) {
            int w = 9 + r.nextInt(240);
            int h = 9 + r.nextInt(180);
            String format = formats[i % formats.length];
            Path dir = Files.createDirectories(root.resolve("pictures").resolve("set" + (i % 3)).resolve(i % 2 == 0 ? "a" : "b c"));
            String name = (i % 17 == 0 ? "odd [" + i + "] {x}" : "pic" + i) + "." + format;
            write(picture(w, h, r, i % 5 == 0), format, dir.resolve(name));
        }
        Path bad = Files.createDirectories(root.resolve("pictures").resolve("bad"));
        byte[] png = Files.readAllBytes(firstPng(fashion));
        f.corrupt.add(Files.write(bad.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 3)));
        Path jpeg = bad.resolve("whole.jpg");
        write(picture(120, 80, r, false), "jpg", jpeg);
        byte[] jpegBytes = Files.readAllBytes(jpeg);
        f.corrupt.add(Files.write(bad.resolve("cut-short.jpg"), java.util.Arrays.copyOf(jpegBytes, jpegBytes.length / 2)));
        Files.delete(jpeg);
        byte[] garbage = new byte[500];
        r.nextBytes(garbage);
        f.corrupt.add(Files.write(bad.resolve("garbage.jpg"), garbage));
        f.corrupt.add(Files.write(bad.resolve("empty.png"), new byte[0]));
        Files.writeString(bad.resolve("notes.txt"), "not an image, and not named like one\n");
        return f;
    }

    private static Path firstPng(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().findFirst().orElseThrow();
        }
    }

    /** Gradients, a few rectangles and noise: something for a model to look at. */
    private static BufferedImage picture(int w, int h, Random r, boolean grey) {
        BufferedImage img = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, new Color(x * 255 / w, y * 255 / h, r.nextInt(256)).getRGB());
            }
        }
        for (int k = 0; k < 3; k++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
            g.fillRect(r.nextInt(w), r.nextInt(h), 1 + r.nextInt(w / 2 + 1), 1 + r.nextInt(h / 2 + 1));
        }
        g.dispose();
        return img;
    }

    private static void write(BufferedImage img, String format, Path p) throws IOException {
        if (!ImageIO.write(img, format.equals("jpg") ? "jpeg" : format, p.toFile())) {
            throw new IOException("no ImageIO writer for " + format);
        }
    }
}
