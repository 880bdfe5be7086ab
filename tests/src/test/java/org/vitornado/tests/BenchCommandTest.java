package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** {@code bench} on the bundled demo model on the JVM backend: the table, the JSON and CSV rows, and a chart that is not blank. */
@Tag("jvm")
class BenchCommandTest {

    @Test
    void printsTheTableAndWritesJsonCsvAndChart(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("rows.json");
        Path csv = dir.resolve("rows.csv");
        Path chart = dir.resolve("chart.png");
        CliTest.Run r = CliTest.cli("bench", "--model", CliTest.DEMO.toString(), "--batch", "1,2", "--iterations", "3", "--warmup", "1",
                "--json", json.toString(), "--csv", csv.toString(), "--chart", chart.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("JVM FMA peak:") && r.out().contains("p50 ms") && r.out().contains("images/s")
                && r.out().contains("GFLOP per image"), r.out());

        JsonArray rows = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(2, rows.size());
        for (int i = 0; i < 2; i++) {
            JsonObject o = rows.get(i).getAsJsonObject();
            for (String key : List.of("backend", "device", "batch", "p50_ms", "p90_ms", "images_per_s", "gflops_per_s", "peak_gflops_per_s")) {
                assertTrue(o.has(key), "row " + i + " lacks " + key + ": " + o);
            }
            assertEquals("jvm", o.get("backend").getAsString());
            assertEquals(i == 0 ? 1 : 2, o.get("batch").getAsInt());
            double p50 = o.get("p50_ms").getAsDouble();
            assertTrue(p50 > 0 && o.get("p90_ms").getAsDouble() >= p50, o.toString());
            assertEquals(o.get("batch").getAsInt() / (p50 / 1e3), o.get("images_per_s").getAsDouble(), 1e-6 * o.get("images_per_s").getAsDouble());
            assertTrue(o.get("gflops_per_s").getAsDouble() > 0 && o.get("peak_gflops_per_s").getAsDouble() > 0, o.toString());
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("model,backend,device,batch"), lines.get(0));

        BufferedImage png = ImageIO.read(chart.toFile());
        assertEquals(800, png.getWidth());
        assertEquals(480, png.getHeight());
        int bar = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                bar += (png.getRGB(x, y) & 0xFFFFFF) == 0x4472C4 ? 1 : 0;
            }
        }
        assertTrue(bar > 1000, "the chart's bars are missing: " + bar + " bar-coloured pixels");
    }

    @Test
    void refusesToOverwriteAndNamesUnknownModels(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("rows.json");
        Files.writeString(json, "keep me");
        CliTest.Run r = CliTest.cli("bench", "--model", CliTest.DEMO.toString(), "--json", json.toString(), "--no-peak");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("rows.json: exists"), r.err());
        assertEquals("keep me", Files.readString(json));
        CliTest.Run unknown = CliTest.cli("bench", "--model", "vit_gigantic_patch3_999", "--no-peak");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("vit_gigantic_patch3_999") && unknown.err().contains("vit_base_patch16_224"), unknown.err());
        CliTest.Run batch = CliTest.cli("bench", "--model", CliTest.DEMO.toString(), "--batch", "1,zero", "--no-peak");
        assertEquals(2, batch.code());
        assertTrue(batch.err().contains("--batch"), batch.err());
    }

    @Test
    void theOtherBackendNeedsTheLauncherAndIsCheckedBeforeMeasuring() {
        // In-process, nothing says how to start TornadoVM (bin/vitornado does): a clear error, at once.
        CliTest.Run r = CliTest.cli("bench", "--model", CliTest.DEMO.toString(), "--backend", "jvm,tornado", "--no-peak");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--backend tornado") && r.err().contains("bin/vitornado"), r.err());
        assertTrue(!r.out().contains("p50 ms"), "measured the JVM before failing:\n" + r.out());
    }

    @Test
    void profileTimesEveryTask() {
        CliTest.Run r = CliTest.cli("plan", "--model", CliTest.DEMO.toString(), "--profile", "--iterations", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("median of 2 runs") && r.out().contains("share") && r.out().contains("by kernel:"), r.out());
        assertTrue(r.out().contains("blocks.0.attn.qkv") && r.out().contains("JvmLinearKernels"), r.out());
    }
}
