package org.vitornado.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.api.RgbImage;
import org.vitornado.cli.ImageFiles;
import org.vitornado.cli.Main;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The whole job in local mode, every row checked against what {@code vitornado} (the CLI) gives for the same image:
 * labels and scores, class maps and overlays, detections; corrupt files as rows with their error; resuming.
 *
 * <p>JVM only in {@code bin/test}: under the real TornadoVM, Spark needs its own log4j-api ahead of TornadoVM's on the
 * module path, which the suite's argfile does not have. The job under the real TornadoVM, in local mode and on
 * executors of a standalone cluster, is {@code tools/spark_cluster_check.sh} with {@code TORNADOVM_HOME} set.
 */
@Tag("jvm")
class SparkJobTest {

    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final Path FASHION_VIT = PROJECT.resolve("models/fashion-vit");
    static final Path FASHION_DETECTOR = PROJECT.resolve("models/fashion-detector");
    static final Path SEGFORMER = PROJECT.resolve("tests/src/test/resources/fixtures/segformer_tiny.safetensors");

    record Run(int code, String out, String err) {
    }

    static Run spark(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SparkMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The results table, by local path. */
    static Map<Path, Row> results(Path out) {
        SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            Map<Path, Row> rows = new HashMap<>();
            for (Row r : s.read().parquet(out.resolve("results").toString()).collectAsList()) {
                Path p = Path.of(URI.create(r.<String>getAs("path").replace(" ", "%20").replace("[", "%5B").replace("]", "%5D")
                        .replace("{", "%7B").replace("}", "%7D")));
                assertNull(rows.put(p, r), "two rows for " + p);
            }
            return rows;
        } finally {
            s.stop();
        }
    }

    static List<Path> imageFiles(Path dir) throws IOException {
        try (Stream<Path> w = Files.walk(dir)) {
            return w.filter(Files::isRegularFile).filter(ImageFiles::isImage).sorted().toList();
        }
    }

    static String sha256(Path p) throws IOException {
        return ImagePartition.sha256(Files.readAllBytes(p));
    }

    @Test
    void classifiesAFolderAsTheCliDoesAndResumes(@TempDir Path tmp) throws IOException {
        ImageFolder folder = ImageFolder.generate(tmp.resolve("images"), FASHION_VIT.resolve("test-images"), 200, 7);
        List<Path> files = imageFiles(folder.root);
        assertTrue(files.size() >= 300, files.size() + " images");
        Path out = tmp.resolve("out");

        // Three waves; two tasks at a time share the executor's one model.
        Run job = spark("classify", "--model", FASHION_VIT.toString(), "--images", folder.root.toString(), "--out", out.toString(),
                "--master", "local[2]", "--batch", "8", "--top", "3", "--commit-every", "120", "--json");
        // Corrupt files make the exit code 2 (as for the CLI), and are rows, not a failed job.
        assertEquals(2, job.code(), job.out() + job.err());
        assertTrue(job.out().contains("wave 3/3"), job.out());
        assertTrue(job.err().contains(folder.corrupt.size() + " of " + files.size() + " images could not be read"), job.err());

        Run cli = cli("classify", "--model", FASHION_VIT.toString(), "--image", folder.root.toString(), "--batch", "8", "--top", "3", "--json");
        assertEquals(2, cli.code(), cli.err());
        Map<Path, JsonArray> expected = new HashMap<>();
        for (String line : cli.out().split("\n")) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            expected.put(Path.of(o.get("file").getAsString()), o.getAsJsonArray("labels"));
        }
        assertEquals(files.size() - folder.corrupt.size(), expected.size());

        Map<Path, Row> rows = results(out);
        assertEquals(new HashSet<>(files), rows.keySet());
        for (Path f : files) {
            Row r = rows.get(f);
            assertEquals(sha256(f), r.getAs("sha256"), f.toString());
            assertEquals(FASHION_VIT.toString(), r.getAs("model"));
            if (folder.corrupt.contains(f)) {
                assertNotNull(r.getAs("error"), f.toString());
                assertTrue(r.<String>getAs("error").contains(f.getFileName().toString()), r.<String>getAs("error"));
                assertNull(r.getAs("labels"));
                assertFalse(expected.containsKey(f), f + " was read by the CLI");
                continue;
            }
            assertNull(r.getAs("error"), f.toString());
            RgbImage img = RgbImage.read(f);
            assertEquals(img.width(), (int) r.<Integer>getAs("width"));
            assertEquals(img.height(), (int) r.<Integer>getAs("height"));
            List<Row> labels = r.getList(r.fieldIndex("labels"));
            JsonArray want = expected.get(f);
            assertEquals(want.size(), labels.size(), f.toString());
            for (int k = 0; k < labels.size(); k++) {
                JsonObject w = want.get(k).getAsJsonObject();
                Row got = labels.get(k);
                assertEquals(w.get("index").getAsInt(), got.getInt(0), f + " rank " + k);
                assertEquals(w.get("label").getAsString(), got.getString(1));
                // The same kernels on the same pixels, to float32 rounding, not bit for bit: the JVM backend is not
                // bit-reproducible between processes (two Spark runs of the same batches differ by up to 2.4e-7).
                assertEquals(w.get("score").getAsFloat(), got.getFloat(2), 1e-5f, f + " rank " + k);
            }
        }
        // --json: the same rows as JSON lines.
        int jsonRows = 0;
        try (Stream<Path> parts = Files.list(out.resolve("results-json"))) {
            for (Path p : parts.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                jsonRows += (int) Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
            }
        }
        assertEquals(files.size(), jsonRows);

        // A second run into the same folder is refused, and changes nothing.
        Run again = spark("classify", "--model", FASHION_VIT.toString(), "--images", folder.root.toString(), "--out", out.toString(), "--master", "local[1]");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("use --skip-existing"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());

        // The folder grows, and a killed run left an uncommitted copy of a part file behind: --skip-existing runs
        // only the new images, and the stale copy is not committed with them.
        Path more = Files.createDirectories(folder.root.resolve("later"));
        for (Path f : files.subList(0, 12)) {
            if (!folder.corrupt.contains(f)) {
                Files.copy(f, more.resolve("copy-" + f.getFileName()));
            }
        }
        Path stale = Files.createDirectories(out.resolve("results/_temporary/0/task_202612020000_0001_m_000000"));
        try (Stream<Path> parts = Files.list(out.resolve("results"))) {
            Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            Files.copy(part, stale.resolve("part-99999-stale.snappy.parquet"));
        }
        int added = imageFiles(more).size();
        Run resume = spark("classify", "--model", FASHION_VIT.toString(), "--images", folder.root.toString(), "--out", out.toString(),
                "--master", "local[2]", "--batch", "8", "--top", "3", "--skip-existing");
        assertEquals(2, resume.code(), resume.err());
        assertTrue(resume.out().contains(files.size() + " with results already (--skip-existing), " + added + " to run"), resume.out());
        Map<Path, Row> after = results(out);
        assertEquals(files.size() + added, after.size());
        for (Path copy : imageFiles(more)) {
            Path original = files.stream().filter(f -> copy.getFileName().toString().equals("copy-" + f.getFileName())).findFirst().orElseThrow();
            assertEquals(after.get(original).<String>getAs("sha256"), after.get(copy).getAs("sha256"));
            List<Row> want = after.get(original).getList(after.get(original).fieldIndex("labels"));
            List<Row> got = after.get(copy).getList(after.get(copy).fieldIndex("labels"));
            assertEquals(want.size(), got.size());
            for (int k = 0; k < want.size(); k++) {
                assertEquals(want.get(k).getInt(0), got.get(k).getInt(0), copy + " rank " + k);
                assertEquals(want.get(k).getFloat(2), got.get(k).getFloat(2), 1e-5f, copy + " rank " + k);
            }
        }
    }

    @Test
    void segmentsAsTheCliDoes(@TempDir Path tmp) throws IOException {
        Path images = Files.createDirectories(tmp.resolve("images"));
        ImageFolder folder = ImageFolder.generate(images, FASHION_VIT.resolve("test-images/bag"), 10, 11);
        List<Path> files = imageFiles(images);
        Path out = tmp.resolve("out");
        Run job = spark("segment", "--model", SEGFORMER.toString(), "--images", images.toString(), "--out", out.toString(), "--size", "64x64",
                "--master", "local[2]");
        assertEquals(2, job.code(), job.out() + job.err());
        assertTrue(job.out().contains("legend.png"), job.out());
        Path cliOut = tmp.resolve("cli");
        Run cli = cli("segment", "--model", SEGFORMER.toString(), "--image", images.toString(), "--out", cliOut.toString(), "--size", "64x64");
        assertEquals(2, cli.code(), cli.err());

        Map<Path, Row> rows = results(out);
        assertEquals(new HashSet<>(files), rows.keySet());
        Set<Integer> allClasses = new HashSet<>();
        for (Path f : files) {
            Row r = rows.get(f);
            if (folder.corrupt.contains(f)) {
                assertNotNull(r.getAs("error"));
                assertNull(r.getAs("classes_png"));
                continue;
            }
            String stem = ImageFiles.stem(f);
            Path classesPng = Path.of(URI.create(r.getAs("classes_png")));
            Path overlayPng = Path.of(URI.create(r.getAs("overlay_png")));
            assertEquals(out.resolve("masks").resolve(sha256(f) + ".classes.png"), classesPng);
            assertEquals(out.resolve("overlays").resolve(sha256(f) + ".overlay.png"), overlayPng);
            int[] got = pixels(classesPng);
            assertArrayEquals(pixels(cliOut.resolve(stem + ".classes.png")), got, f.toString());
            assertArrayEquals(pixels(cliOut.resolve(stem + ".overlay.png")), pixels(overlayPng), f.toString());
            Set<Integer> present = new java.util.TreeSet<>();
            for (int v : got) {
                present.add(v);
            }
            assertEquals(new ArrayList<>(present), r.getList(r.fieldIndex("classes")));
            allClasses.addAll(present);
        }
        // The legend shows every class found, as the CLI's does.
        assertArrayEquals(pixels(cliOut.resolve("legend.png")), pixels(out.resolve("legend.png")));
        assertFalse(allClasses.isEmpty());
    }

    @Test
    void detectsAsTheCliDoes(@TempDir Path tmp) throws IOException {
        Path images = Files.createDirectories(tmp.resolve("images"));
        try (Stream<Path> s = Files.list(FASHION_DETECTOR.resolve("images"))) {
            for (Path p : s.filter(ImageFiles::isImage).sorted().limit(5).toList()) {
                Files.copy(p, images.resolve(p.getFileName()));
            }
        }
        Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        List<Path> files = imageFiles(images);
        Path out = tmp.resolve("out");
        Run job = spark("detect", "--model", FASHION_DETECTOR.toString(), "--images", images.toString(), "--out", out.toString(), "--masks",
                "--score", "0.3", "--batch", "1", "--master", "local[2]");
        assertEquals(2, job.code(), job.out() + job.err());
        Path cliOut = tmp.resolve("cli");
        Run cli = cli("detect", "--model", FASHION_DETECTOR.toString(), "--image", images.toString(), "--out", cliOut.toString(), "--masks",
                "--score", "0.3", "--batch", "1");
        assertEquals(2, cli.code(), cli.err());

        Map<Path, Row> rows = results(out);
        assertEquals(new HashSet<>(files), rows.keySet());
        int objects = 0;
        for (Path f : files) {
            Row r = rows.get(f);
            if (f.getFileName().toString().equals("broken.png")) {
                assertNotNull(r.getAs("error"));
                continue;
            }
            String stem = ImageFiles.stem(f);
            JsonArray want = JsonParser.parseString(Files.readString(cliOut.resolve(stem + ".detections.json"))).getAsJsonArray();
            List<Row> got = r.getList(r.fieldIndex("detections"));
            assertEquals(want.size(), got.size(), f.toString());
            for (int k = 0; k < got.size(); k++) {
                JsonObject w = want.get(k).getAsJsonObject();
                Row d = got.get(k);
                assertEquals(w.get("category_id").getAsInt(), (int) d.<Integer>getAs("category_id"));
                assertEquals(w.get("category_name").getAsString(), d.getAs("category_name"));
                // Two runs of the CLI itself differ by a rounding step here (scores rounded to 1e-5, boxes to 0.01):
                // the JVM backend is not bit-reproducible from run to run.
                assertEquals(w.get("score").getAsDouble(), d.<Double>getAs("score"), 2.01e-5, f + " #" + k);
                List<Double> bbox = d.getList(d.fieldIndex("bbox"));
                for (int j = 0; j < 4; j++) {
                    assertEquals(w.getAsJsonArray("bbox").get(j).getAsDouble(), bbox.get(j), 0.0201, f + " #" + k);
                }
                Row seg = d.getAs("segmentation");
                JsonObject ws = w.getAsJsonObject("segmentation");
                assertEquals(ws.get("counts").getAsString(), seg.getAs("counts"));
                List<Integer> size = seg.getList(seg.fieldIndex("size"));
                assertEquals(List.of(ws.getAsJsonArray("size").get(0).getAsInt(), ws.getAsJsonArray("size").get(1).getAsInt()), size);
                objects++;
            }
            Path overlay = Path.of(URI.create(r.getAs("overlay_png")));
            assertArrayEquals(pixels(cliOut.resolve(stem + ".overlay.png")), pixels(overlay), f.toString());
        }
        assertTrue(objects > 0, "no detections to compare");
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) throws IOException {
        Run missing = spark("classify", "--model", FASHION_VIT.toString(), "--images", tmp.resolve("nowhere").toString(), "--out", tmp.resolve("o1").toString(),
                "--master", "local[1]");
        assertEquals(2, missing.code());
        assertEquals("vitornado-spark classify: --images " + tmp.resolve("nowhere") + ": no such file or directory", missing.err().strip());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no pictures here");
        Run none = spark("classify", "--model", FASHION_VIT.toString(), "--images", empty.toString(), "--out", tmp.resolve("o2").toString(), "--master", "local[1]");
        assertEquals(2, none.code());
        assertTrue(none.err().strip().contains("no images"), none.err());
        assertEquals(1, none.err().strip().lines().count(), none.err());

        Path one = Files.createDirectories(tmp.resolve("one"));
        Files.copy(FASHION_DETECTOR.resolve("images").resolve("scene01_256x256.png"), one.resolve("a.png"));
        Run wrongTask = spark("segment", "--model", FASHION_VIT.toString(), "--images", one.toString(), "--out", tmp.resolve("o3").toString(), "--master", "local[1]");
        assertEquals(2, wrongTask.code());
        assertTrue(wrongTask.err().strip().endsWith("is not a segmenter (it gives classification)"), wrongTask.err());

        Run badOption = spark("classify", "--model", FASHION_VIT.toString(), "--images", one.toString(), "--out", tmp.resolve("o4").toString(), "--top", "0");
        assertEquals(2, badOption.code());
        assertTrue(badOption.err().startsWith("vitornado-spark classify: --top must be >= 1, got 0"), badOption.err());

        // Another command's results are never mixed in, even with --skip-existing.
        Path o5 = tmp.resolve("o5");
        assertEquals(0, spark("classify", "--model", FASHION_VIT.toString(), "--images", one.toString(), "--out", o5.toString(), "--master", "local[1]").code());
        Run other = spark("detect", "--model", FASHION_DETECTOR.toString(), "--images", one.toString(), "--out", o5.toString(), "--skip-existing", "--master", "local[1]");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("holds the results of classify --model"), other.err());
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png.toString());
        return img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
    }
}
