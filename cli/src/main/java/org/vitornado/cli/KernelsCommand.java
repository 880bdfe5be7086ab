package org.vitornado.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.vitornado.runtime.Backend;
import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.Tokens;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code kernels}: the kernels of a ViT block and their versions, and with {@code --show} the OpenCL C that the real
 * TornadoVM generates from one of them. Each example is one task at ViT-S sizes (197 tokens, 384 wide, 6 heads),
 * planned by {@link PlanBuilder} exactly as a model plans it, run once with TornadoVM's {@code tornado.printKernel}
 * on (bin/vitornado sets it for this command: TornadoVM reads it when it starts): what it prints is what the device compiles for that size (TornadoVM specialises a kernel on its scalar
 * arguments, so the sizes appear as constants).
 */
@Command(name = "kernels", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The kernels of a ViT block and their versions; --show prints the OpenCL C TornadoVM generates for one.")
final class KernelsCommand extends CliCommand {

    static final int TOKENS = 197;
    static final int WIDTH = 384;
    static final int HEADS = 6;

    @Option(names = "--show", paramLabel = "NAME", description = "print the generated code of this kernel (needs --backend tornado)")
    String show;

    @Option(names = "--version", paramLabel = "N", defaultValue = "0",
            description = "1 (the readable first version) or 2 (the GPU version, where there is one); default: the one this device gets")
    int version;

    @Mixin
    RunOptions run;

    /** One example task: its name, the versions it has, and how to add it to a plan. */
    record Example(String name, List<Integer> versions, String what, Consumer<PlanBuilder> add) {
    }

    static Map<String, Example> examples() {
        Map<String, Example> m = new LinkedHashMap<>();
        for (Example e : List.of(
                new Example("layerNorm", List.of(1, 2), "norm1/norm2: y = (x - mean) / sqrt(var + eps) * gamma + beta, per token",
                        g -> g.layerNorm("layerNorm", tokens(g, WIDTH, true), new LayerNorm(ones(WIDTH), new FloatArray(WIDTH), 1e-6f),
                                tokens(g, WIDTH, false))),
                new Example("linear", List.of(1, 2), "attn.qkv: y = x W^T + b, 384 -> 1152",
                        g -> g.linear("linear", tokens(g, WIDTH, true), linear(WIDTH, 3 * WIDTH), tokens(g, 3 * WIDTH, false))),
                new Example("attention", List.of(1, 2), "attn: softmax(q k^T / sqrt(d)) v per head, online softmax over the keys",
                        g -> g.attention("attention", tokens(g, 3 * WIDTH, true), HEADS, tokens(g, WIDTH, false))),
                new Example("linearResidual", List.of(1, 2), "attn.proj, mlp.fc2: y += x W^T + b",
                        g -> {
                            // The residual stream must hold something first: a copy of an input (its own task).
                            Tokens y = tokens(g, WIDTH, false);
                            g.copyRows("residual", tokens(g, WIDTH, true), 0, y, 0, TOKENS)
                                    .linearResidual("linearResidual", tokens(g, WIDTH, true), linear(WIDTH, WIDTH), y);
                        }),
                new Example("linearGelu", List.of(1, 2), "mlp.fc1: y = gelu(x W^T + b), 384 -> 1536",
                        g -> g.linearGelu("linearGelu", tokens(g, WIDTH, true), linear(WIDTH, 4 * WIDTH), tokens(g, 4 * WIDTH, false))),
                new Example("softmax", List.of(1), "the head's class probabilities, per row",
                        g -> g.softmax("softmax", tokens(g, 1000, true), tokens(g, 1000, false))))) {
            m.put(e.name(), e);
        }
        return m;
    }

    @Override
    public Integer call() {
        Map<String, Example> all = examples();
        if (show == null) {
            out().printf("%-16s %-9s %-66s %s%n", "kernel", "versions", "kernel methods (version 1 / 2)", "in a ViT block");
            for (Example e : all.values()) {
                out().printf("%-16s %-9s %-66s %s%n", e.name(), e.versions().toString().replace(" ", ""), methods(e), e.what());
            }
            out().println();
            out().println("`vitornado kernels --show NAME [--version N] --backend tornado` prints the OpenCL C TornadoVM generates.");
            return Main.OK;
        }
        Example e = all.get(show);
        if (e == null) {
            throw usage("--show: no kernel '" + show + "'; one of " + String.join(", ", all.keySet()));
        }
        if (version != 0 && !e.versions().contains(version)) {
            throw usage("--version: " + show + " has versions " + e.versions());
        }
        ExecutionOptions options = run.execution(false);
        if (options.backend() != Backend.TORNADO) {
            throw new IllegalArgumentException("--show needs the real TornadoVM (--backend tornado): on the JVM the kernel runs as the Java it is,"
                    + " and no code is generated");
        }
        if (!Boolean.parseBoolean(System.getProperty("tornado.printKernel"))) {
            // TornadoVM reads it once, when it starts.
            throw new IllegalArgumentException("--show needs TornadoVM started with -Dtornado.printKernel=True, as bin/vitornado starts it for `kernels`");
        }
        if (version == 0) {
            show(e, options);
        } else {
            PlanBuilder.withGpuVersions(version == 2, () -> show(e, options));
        }
        return Main.OK;
    }

    /** Plans the example for {@code options}, names its kernel and grid, and runs it once (TornadoVM prints the code). */
    private Void show(Example e, ExecutionOptions options) {
        PlanBuilder g = new PlanBuilder("kernels", options);
        e.add().accept(g.section(e.name()));
        try (CompiledPlan plan = g.compile()) {
            Step step = task(plan, e);
            String grid = new org.vitornado.runtime.PlannedTask("kernels", step.name(), step.kernel(), step.global(), step.local(), step.cost())
                    .gridDescription();
            out().printf("// %s: %s%n// Java: %s, grid %s; generated by TornadoVM for %s%n", e.name(), e.what(), step.kernel(), grid,
                    org.vitornado.runtime.PlanRunner.describeDevice(options));
            out().flush();
            plan.run();
        }
        return null;
    }

    /** The example's own task (a few set up what it reads). */
    private static Step task(CompiledPlan plan, Example e) {
        return plan.graphs().get(0).steps().stream().filter(s -> s.name().equals(e.name())).findFirst().orElseThrow();
    }

    /** The kernel method of each version, as a plan for inspection picks it (nothing runs). */
    private static String methods(Example e) {
        List<String> names = new java.util.ArrayList<>();
        for (int v : e.versions()) {
            names.add(PlanBuilder.withGpuVersions(v == 2, () -> {
                PlanBuilder g = new PlanBuilder("kernels", null);
                e.add().accept(g.section(e.name()));
                try (CompiledPlan plan = g.compile()) {
                    return task(plan, e).kernel();
                }
            }));
        }
        return String.join(" / ", names);
    }

    /** Rows of {@code width} at ViT-S's token count: an input of the plan, or an output it writes. */
    private static Tokens tokens(PlanBuilder g, int width, boolean input) {
        FloatArray a = new FloatArray(TOKENS * width);
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, (float) Math.sin(i * 0.37) * 0.5f);
        }
        if (input) {
            g.input(a);
        } else {
            g.output(a);
        }
        return new Tokens(a, 1, TOKENS, width);
    }

    private static Linear linear(int in, int out) {
        FloatArray w = new FloatArray(in * out);
        for (int i = 0; i < w.getSize(); i++) {
            w.set(i, (float) Math.cos(i * 0.11) * 0.05f);
        }
        return new Linear(w, new FloatArray(out), in, out);
    }

    private static FloatArray ones(int n) {
        FloatArray a = new FloatArray(n);
        a.init(1f);
        return a;
    }
}
