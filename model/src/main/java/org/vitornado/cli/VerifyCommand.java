package org.vitornado.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;

/**
 * {@code verify}: runs a reference fixture and compares every output vitornado produces with the upstream
 * float64 result. Exits 1 when an output is over the fixture's tolerance or a primary output is missing.
 */
final class VerifyCommand implements Command {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "compare with an upstream PyTorch reference fixture (relative L2, max abs error)";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado verify --fixture DIR/NAME [--backend jvm|tornado] [--device N]

                  --fixture DIR/NAME   NAME.json, NAME.safetensors and NAME.io.safetensors in DIR
                                       (families: %s)
                """.formatted(String.join(", ", FixtureRunner.families())) + ExecutionFlags.USAGE;
    }

    @Override
    public int run(String[] argv, PrintStream out) {
        Set<String> options = new HashSet<>(Set.of("fixture"));
        options.addAll(ExecutionFlags.OPTIONS);
        Args args = Args.parse(name(), argv, options, Set.of());
        Fixture fixture = Fixture.read(Path.of(args.required("fixture")));
        FixtureRunner runner = FixtureRunner.forFamily(fixture.family(), fixture.json());
        Map<String, float[]> produced = runner.run(fixture, ExecutionFlags.announced(args, out));

        out.printf("fixture %s (%s), tolerance %.1e relative L2%n", fixture.name(), fixture.family(), fixture.relTol());
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
            Comparison c = Comparison.of(got, fixture.values(t.name()));
            boolean pass = c.within(fixture.relTol());
            ok &= pass;
            out.printf("%-34s %-18s %12.3e %12.3e  %s%n", t.name(), Arrays.toString(t.shape()), c.relativeL2(), c.maxAbs(),
                    pass ? "ok" : "FAIL");
        }
        if (skipped > 0) {
            out.printf("(%d intermediate outputs not produced by vitornado)%n", skipped);
        }
        out.println(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }
}
