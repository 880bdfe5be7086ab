package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.cli.Main;

/** The CLI as a user drives it: help, errors, and each command on the bundled demo model and fixtures. */
class CliTest {

    static final Path DEMO = ProjectFiles.demoModel();

    /** A colour photo-like image (61x47 JPEG) from the PIL fixture. */
    static final Path PHOTO = ProjectFiles.root().resolve("model/src/test/resources/pil/photo.jpg");

    /** One of the demo model's test images: a sneaker. */
    static final Path SNEAKER = DEMO.resolve("test-images/sneaker/00009.png");

    record Run(int code, String out, String err) {
    }

    /**
     * {@code bin/vitornado ARGS} in its own process, as a user runs it, with {@code env} added to this process's
     * environment (TORNADOVM_HOME passes through); fails the test if it has not ended after five minutes.
     */
    static Run launcher(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProjectFiles.root().resolve("bin").resolve("vitornado").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("bin/vitornado " + String.join(" ", args) + " did not end within five minutes");
        }
        return new Run(p.exitValue(), out, err.join());
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasUsage() {
        Run r = cli("--help");
        assertEquals(0, r.code());
        for (String c : List.of("classify", "info", "plan", "verify", "features", "segment", "bench")) {
            assertTrue(r.out().contains(c), r.out());
            Run h = cli(c, "--help");
            assertEquals(0, h.code(), c);
            assertTrue(h.out().startsWith("Usage: vitornado " + c), h.out());
        }
        assertEquals(2, cli().code());
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        Run unknown = cli("segment-everything");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'segment-everything'"), unknown.err());
        Run option = cli("info", "--modle", "x");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("unknown option --modle"), option.err());
        Run missing = cli("classify", "--image", "a.png");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--model is required"), missing.err());
        Run size = cli("plan", "--model", DEMO.toString(), "--size", "64by64");
        assertEquals(2, size.code());
        assertTrue(size.err().contains("--size: expects HxW"), size.err());
    }

    @Test
    void infoDescribesTheDemoModel() {
        Run r = cli("info", "--model", DEMO.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ViT 96d x 4 blocks, 3 heads, patch 7, 28x28"), r.out());
        // patch 96*3*7*7+96, cls 96, pos 17*96, 4 blocks, norm, head 10*96+10
        long perBlock = 4 * 96 + 3 * 96 * 96 + 3 * 96 + 96 * 96 + 96 + 384 * 96 + 384 + 96 * 384 + 96;
        long expected = 96 * 147 + 96 + 96 + 17 * 96 + 4 * perBlock + 2 * 96 + 10 * 96 + 10;
        assertTrue(r.out().contains(String.format("parameters   %,d (checkpoint holds %,d values", expected, expected)), r.out());
    }

    @Test
    void planShowsEveryTaskWithItsGridAndATotal() {
        Run r = cli("plan", "--model", DEMO.toString(), "--size", "42x70", "--batch", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("input 2 x 42x70 -> 61 tokens of 96"), r.out());
        assertTrue(r.out().contains("pos_embed.resample"), "a 6x10 grid needs the 4x4 embedding resampled");
        for (String task : List.of("patch_embed", "blocks.0.norm1", "blocks.3.attn.qkv", "blocks.3.mlp.fc2", "norm", "pool", "head")) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(task) + " ").matcher(r.out()).find(), task + " missing:\n" + r.out());
        }
        assertTrue(r.out().contains("LinearKernels.linearResidual"), r.out());
        assertTrue(r.out().contains("1 task graph") && r.out().contains("graph vit_0: pos_embed .. head, 34 tasks"), r.out());
        // patch embed, pos embed, 7 per block, norm, pool, head, softmax
        assertTrue(r.out().contains("total (" + (1 + 1 + 4 * 7 + 1 + 1 + 1 + 1) + ")"), r.out());
    }

    @Test
    void classifyPrintsRankedProbabilities() {
        Run r = cli("classify", "--model", DEMO.toString(), "--image", SNEAKER.toString(), "--top", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  1. Sneaker"), "the trained model knows a sneaker:\n" + r.out());
        Matcher m = Pattern.compile("(?m)^  (\\d)\\. (\\S.*?)\\s+([0-9.]+)$").matcher(r.out());
        double previous = 1;
        int rows = 0;
        while (m.find()) {
            rows++;
            assertEquals(rows, Integer.parseInt(m.group(1)));
            double p = Double.parseDouble(m.group(3));
            assertTrue(p > 0 && p <= previous, r.out());
            previous = p;
        }
        assertEquals(3, rows, r.out());
    }

    @Test
    void unreadableImagesAndModelsAreNamed(@TempDir Path dir) throws IOException {
        Path fake = dir.resolve("not-really.png");
        Files.writeString(fake, "this is text");
        Run image = cli("classify", "--model", DEMO.toString(), "--image", fake.toString());
        assertEquals(2, image.code());
        assertTrue(image.err().contains(fake.toString()), image.err());
        Run model = cli("info", "--model", dir.resolve("nothing-here").toString());
        assertEquals(2, model.code());
        assertTrue(model.err().contains("nothing-here") && model.err().contains("no such file"), model.err());
    }

    @Test
    void verifyPassesOnTheUpstreamFixture() {
        Run r = cli("verify", "--fixture", Fixtures.prefix("vit_token").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("PASS"), r.out());
        assertTrue(Pattern.compile("(?m)^logits\\s").matcher(r.out()).find(), r.out());
    }

    @Test
    void verifyRejectsAnUnknownFamily(@TempDir Path dir) throws IOException {
        Path prefix = Fixtures.prefix("vit_token");
        for (String suffix : List.of(".safetensors", ".io.safetensors")) {
            Files.copy(prefix.resolveSibling("vit_token" + suffix), dir.resolve("odd" + suffix));
        }
        String json = Files.readString(prefix.resolveSibling("vit_token.json")).replace("\"timm_vit\"", "\"alien_net\"");
        Files.writeString(dir.resolve("odd.json"), json);
        Run r = cli("verify", "--fixture", dir.resolve("odd").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("family 'alien_net' is not supported"), r.err());
    }

    @Test
    void planAndInfoCoverBackbonePresetsAndCheckpoints() {
        Run plan = cli("plan", "--model", "vitdet_b", "--size", "512x768");
        assertEquals(0, plan.code(), plan.err());
        assertTrue(plan.out().contains("p2 256x128x192") && plan.out().contains("p6 256x8x12"), plan.out());
        // Without a device, plan shows what a GPU gets: version 2 of window attention and of the pyramid's convolutions.
        assertTrue(plan.out().contains("blocks.2.attn") && plan.out().contains("FlashWindowAttentionKernels.windowAttention")
                && plan.out().contains("ImplicitGemmConvKernels.conv2d") && plan.out().contains("ImplicitGemmConvKernels.convTranspose2x2"), plan.out());
        // ViTDet-L at 1024 is too large for one TornadoVM task graph: the plan shows its graphs and what joins them.
        Run large = cli("plan", "--model", "vitdet_l");
        assertEquals(0, large.code(), large.err());
        Matcher graphs = Pattern.compile("(?m)^graph vitdet_(\\d+): .*; ([0-9,]+) of 1,024 graph nodes, ([0-9,]+) of 8,192 bytes").matcher(large.out());
        int count = 0;
        while (graphs.find()) {
            assertEquals(count++, Integer.parseInt(graphs.group(1)));
            assertTrue(Integer.parseInt(graphs.group(2).replace(",", "")) <= 768 && Integer.parseInt(graphs.group(3).replace(",", "")) <= 6144,
                    "a graph over 3/4 of TornadoVM's limits: " + graphs.group());
        }
        assertTrue(count >= 3, large.out());
        assertTrue(large.out().contains(count + " task graphs, run one after another") && large.out().contains("left on the device by vitdet_0"),
                large.out());
        Run info = cli("info", "--model", "vitdet_l");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("embed 1024, depth 24") && info.out().contains("global blocks [5, 11, 17, 23]"), info.out());
        Run fixture = cli("info", "--model", Fixtures.prefix("vitdet_sfp").resolveSibling("vitdet_sfp.safetensors").toString());
        assertEquals(0, fixture.code(), fixture.err());
        assertTrue(fixture.out().contains("324,624 values in 91 tensors") && fixture.out().contains("p6 32x2x2"), fixture.out());
        Run bad = cli("plan", "--model", "vitdet_b", "--size", "500x500");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("multiples of the patch size 16"), bad.err());
        Run unknown = cli("plan", "--model", "vitdet_xxl");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("vitdet_xxl"), unknown.err());
    }

    @Test
    void planCoversSegmenters() {
        Run r = cli("plan", "--model", Fixtures.prefix("segformer_tiny").resolveSibling("segformer_tiny.safetensors").toString(), "--size", "64x96");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("SegFormer") && r.out().contains("scores 6 x 64x96"), r.out());
        // Without a device, plan shows what a GPU gets: version 2 of attention (SegFormer's spatial-reduction kv).
        assertTrue(r.out().contains("encoder.block1.0.attn") && r.out().contains("FlashAttentionKernels.attention")
                && r.out().contains("decoder.mlp_stage.0.linear.resize"), r.out());
    }
}
