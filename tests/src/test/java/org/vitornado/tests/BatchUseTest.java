package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Batch use of the CLI: folders as --image (recursive, images only), one JSON object per image, a progress line,
 * resuming with --skip-existing, and no half-written files.
 */
class BatchUseTest {

    static final Path PIL = CliFailuresTest.PIL;

    /** {@code dir/a/x.png, dir/a/b/y.jpg, dir/notes.txt, dir/.hidden.png}. */
    static Path folder(Path dir) throws IOException {
        Path root = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(root.resolve("a/b"));
        Files.copy(PIL.resolve("rgb8.png"), root.resolve("a/x.png"));
        Files.copy(PIL.resolve("photo.jpg"), root.resolve("a/b/y.jpg"));
        Files.copy(PIL.resolve("grey8.png"), root.resolve("z.png"));
        Files.writeString(root.resolve("notes.txt"), "not an image");
        Files.copy(PIL.resolve("rgb8.png"), root.resolve(".hidden.png"));
        return root;
    }

    @Test
    void classifyWalksFoldersAndWritesJsonLines(@TempDir Path dir) throws IOException {
        Path root = folder(dir);
        CliTest.Run r = CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", root.toString(), "--json",
                "--top", "3", "--batch", "2", "--progress");
        assertEquals(0, r.code(), r.err());
        List<JsonObject> rows = r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(List.of(root.resolve("a/b/y.jpg").toString(), root.resolve("a/x.png").toString(), root.resolve("z.png").toString()),
                rows.stream().map(o -> o.get("file").getAsString()).toList(), "sorted, recursive, images only");
        for (JsonObject o : rows) {
            assertEquals(3, o.getAsJsonArray("labels").size());
            double s0 = o.getAsJsonArray("labels").get(0).getAsJsonObject().get("score").getAsDouble();
            double s1 = o.getAsJsonArray("labels").get(1).getAsJsonObject().get("score").getAsDouble();
            assertTrue(s0 >= s1 && s0 > 0 && s0 <= 1, o.toString());
        }
        // The same images one at a time give the same answers: a shorter, padded last batch changes nothing.
        CliTest.Run one = CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", root.resolve("z.png").toString(),
                "--json", "--top", "3");
        CliTest.Run batched = new CliTest.Run(0, rows.get(2).toString(), "");
        CliFailuresTest.sameScores(batched, one);
        // --progress writes count, rate and time left to stderr, never to stdout.
        assertTrue(r.err().contains("3/3 images") && r.err().contains("ETA"), r.err());
    }

    @Test
    void aBadImageInAFolderIsReportedAndTheRestRun(@TempDir Path dir) throws IOException {
        Path root = folder(dir);
        Files.copy(PIL.resolve("truncated.jpg"), root.resolve("a/broken.jpg"));
        CliTest.Run r = CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", root.toString(), "--json");
        assertEquals(2, r.code());
        assertEquals(3, r.out().lines().count(), r.out());
        assertTrue(r.err().contains("broken.jpg") && r.err().contains("1 of 4 images could not be read"), r.err());
    }

    @Test
    void segmentResumesWithSkipExistingAndLeavesNoPartialFiles(@TempDir Path dir) throws IOException {
        Path root = folder(dir);
        Path out = dir.resolve("out");
        String model = SegmentCommandTest.SEGFORMER.toString();
        CliTest.Run first = CliTest.cli("segment", "--model", model, "--image", root.resolve("a").toString(), "--out", out.toString(), "--json");
        assertEquals(0, first.code(), first.err());
        JsonObject row = JsonParser.parseString(first.out().lines().findFirst().orElseThrow()).getAsJsonObject();
        assertEquals(out.resolve("y.classes.png").toString(), row.get("classes_png").getAsString());
        byte[] y = Files.readAllBytes(out.resolve("y.classes.png"));

        // An interrupted run: one image's outputs gone, a temporary left behind by a killed writer.
        Files.delete(out.resolve("x.overlay.png"));
        Files.writeString(out.resolve(".vitornado-123.part"), "half a PNG");
        CliTest.Run again = CliTest.cli("segment", "--model", model, "--image", root.resolve("a").toString(), "--out", out.toString());
        assertEquals(2, again.code(), "without --skip-existing nothing is overwritten");
        assertTrue(again.err().contains(".classes.png: exists"), again.err());
        CliTest.Run resumed = CliTest.cli("segment", "--model", model, "--image", root.resolve("a").toString(), "--out", out.toString(), "--skip-existing");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("x.png") && !resumed.out().contains("y.jpg ("), "only the missing image runs again:\n" + resumed.out());
        assertTrue(Files.exists(out.resolve("x.overlay.png")));
        assertArrayEquals(y, Files.readAllBytes(out.resolve("y.classes.png")), "a finished output is left as it was");
        try (Stream<Path> files = Files.list(out)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".part")), "temporaries are cleaned up");
        }
    }
}
