package org.vitornado.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code verify}: runs a reference fixture and compares every output vitornado produces with the upstream
 * float64 result. Exits 1 when an output is over the fixture's tolerance or a primary output is missing.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare with an upstream PyTorch reference fixture (relative L2, max abs error); exit 1 on a miss.")
final class VerifyCommand extends CliCommand {

    @Option(names = "--fixture", required = true, paramLabel = "DIR/NAME",
            description = "NAME.json, NAME.safetensors and NAME.io.safetensors in DIR (every family of the shared fixtures)")
    String fixturePath;

    @Mixin
    RunOptions run;

    /** What {@code --precision fp16} is held to: relative L2 against the float64 reference. */
    static final double FP16_TOLERANCE = 1e-3;

    @Override
    public Integer call() {
        PrintWriter out = out();
        Fixture fixture = Fixture.read(Path.of(fixturePath));
        FixtureRunner runner = FixtureRunner.forFamily(fixture.family(), fixture.json());
        org.vitornado.runtime.ExecutionOptions options = announced(out);
        Map<String, float[]> produced = runner.run(fixture, options);

        // fp16 weights carry about 5e-4 of relative error of their own: they are held to 1e-3 (exact outputs stay exact).
        boolean half = options.precision() == org.vitornado.runtime.Precision.FP16;
        double tolerance = half ? Math.max(fixture.relTol(), FP16_TOLERANCE) : fixture.relTol();
        out.printf("fixture %s (%s), tolerance %.1e relative L2%s%n", fixture.name(), fixture.family(), tolerance, half ? " (fp16 weights)" : "");
        out.printf("%-34s %-18s %12s %12s  %s%n", "output", "shape", "rel L2", "max abs", "result");
        boolean ok = true;
        int skipped = 0;
        for (Fixture.Tensor t : fixture.outputs()) {
            float[] got = produced.get(t.name());
            if (got == null) {
                if (t.primary()) {
                    out.printf("%-34s %-18s %12s %12s  %s%n", t.name(), Arrays.toString(t.shape()), "-", "-", "MISSING");
                    ok = false;
                } else {
                    skipped++;
                }
                continue;
            }
            Comparison c = fixture.compare(t, got);
            boolean pass = c.within(tolerance);
            ok &= pass;
            out.printf("%-34s %-18s %12.3e %12.3e  %s%n", t.name(), Arrays.toString(t.shape()), c.relativeL2(), c.maxAbs(),
                    pass ? "ok" : "FAIL");
        }
        if (skipped > 0) {
            out.printf("(%d intermediate outputs not produced by vitornado)%n", skipped);
        }
        out.println(ok ? "PASS" : "FAIL");
        return ok ? Main.OK : Main.CHECK_FAILED;
    }

    /** The options, after printing where the fixture runs. */
    private org.vitornado.runtime.ExecutionOptions announced(PrintWriter out) {
        var options = run.execution(false);
        out.println("running on " + options.backend().cliName() + ", device " + options.device() + ": " + org.vitornado.runtime.PlanRunner.describeDevice(options));
        return options;
    }
}
