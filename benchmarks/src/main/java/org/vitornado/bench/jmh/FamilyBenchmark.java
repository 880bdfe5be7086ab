package org.vitornado.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.nn.WindowAttention;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Tokens;

/**
 * The other kernel families at ViT-B / ViTDet-B sizes, one benchmark each: LayerNorm (197 x 768), patch embedding
 * (224 x 224 -> 196 x 768), window attention (a 14 x 14 window map, 12 heads, rel-pos), conv 3 x 3 (64 x 64 x 256 -> 256,
 * the feature pyramid's).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FamilyBenchmark {

    @Param({"layerNorm", "patchEmbed", "windowAttention", "conv3x3"})
    public String kernel;

    private SingleTask task;

    @Setup
    public void setup() {
        task = switch (kernel) {
            case "layerNorm" -> new SingleTask(true, g -> {
                Tokens y = Tokens.allocate(1, 197, 768);
                g.layerNorm("ln", SingleTask.randomRows(197, 768, 1), new LayerNorm(SingleTask.random(768, 2), SingleTask.random(768, 3), 1e-6f), y);
                return y.data();
            });
            case "patchEmbed" -> new SingleTask(true, g -> {
                Image image = new Image(SingleTask.random(3 * 224 * 224, 1), 1, 3, 224, 224);
                PatchEmbed p = new PatchEmbed(SingleTask.random(768 * 3 * 16 * 16, 2), SingleTask.random(768, 3), 3, 768, 16);
                Tokens x = Tokens.allocate(1, 197, 768);
                g.patchEmbed("patch_embed", image, p, SingleTask.random(768, 4), SingleTask.random(196 * 768, 5), x);
                return x.data();
            });
            case "windowAttention" -> new SingleTask(true, g -> {
                FeatureMap qkv = new FeatureMap(SingleTask.random(14 * 14 * 3 * 768, 1), 1, 14, 14, 3 * 768);
                WindowAttention p = new WindowAttention(12, 14, 14, SingleTask.random(3 * 768, 2), SingleTask.random(27 * 64, 3),
                        SingleTask.random(27 * 64, 4), true);
                FeatureMap out = FeatureMap.allocate(1, 14, 14, 768);
                g.windowAttention("attn", qkv, p, out);
                return out.data();
            });
            default -> new SingleTask(true, g -> {
                FeatureMap in = new FeatureMap(SingleTask.random(64 * 64 * 256, 1), 1, 64, 64, 256);
                FeatureMap out = FeatureMap.allocate(1, 64, 64, 256);
                g.conv2d("conv", in, Conv2d.same(SingleTask.random(256 * 256 * 9, 2), SingleTask.random(256, 3), 256, 256, 3), out);
                return out.data();
            });
        };
    }

    @Benchmark
    public void run() {
        task.run();
    }

    @TearDown
    public void close() {
        task.close();
    }
}
