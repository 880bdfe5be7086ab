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

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

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
            case "layerNorm" -> {
                FloatArray x = SingleTask.random(197 * 768, 1);
                FloatArray g = SingleTask.random(768, 2);
                FloatArray b = SingleTask.random(768, 3);
                FloatArray y = new FloatArray(197 * 768);
                yield new SingleTask(true, new Object[] {x, g, b, y}, gb -> gb.layerNorm("ln", x, g, b, y, 197, 768, 1e-6f));
            }
            case "patchEmbed" -> {
                FloatArray image = SingleTask.random(3 * 224 * 224, 1);
                FloatArray w = SingleTask.random(768 * 3 * 16 * 16, 2);
                FloatArray b = SingleTask.random(768, 3);
                FloatArray cls = SingleTask.random(768, 4);
                FloatArray pos = SingleTask.random(196 * 768, 5);
                FloatArray x = new FloatArray(197 * 768);
                yield new SingleTask(true, new Object[] {image, w, b, cls, pos, x},
                        gb -> gb.patchEmbed("patch_embed", image, w, b, cls, pos, x, 1, 3, 224, 224, 16, 768, 14, 14, 1));
            }
            case "windowAttention" -> {
                FloatArray qkv = SingleTask.random(14 * 14 * 3 * 768, 1);
                FloatArray bias = SingleTask.random(3 * 768, 2);
                FloatArray relH = SingleTask.random(27 * 64, 3);
                FloatArray relW = SingleTask.random(27 * 64, 4);
                FloatArray out = new FloatArray(14 * 14 * 768);
                yield new SingleTask(true, new Object[] {qkv, bias, relH, relW, out},
                        gb -> gb.windowAttention("attn", qkv, bias, relH, relW, out, 1, 14, 14, 12, 64, 14, 14, 1, 0.125f));
            }
            default -> {
                FloatArray in = SingleTask.random(64 * 64 * 256, 1);
                FloatArray w = SingleTask.random(256 * 256 * 9, 2);
                FloatArray b = SingleTask.random(256, 3);
                FloatArray out = new FloatArray(64 * 64 * 256);
                yield new SingleTask(true, new Object[] {in, w, b, out},
                        gb -> gb.conv2d("conv", in, w, b, out, 1, 64, 64, 256, 256, 3, 1, 1, 1, 64, 64));
            }
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
