package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.vitornado.kernels.lintcases.BadKernels;
import org.vitornado.kernels.lintcases.GoodKernels;

/**
 * CI has no TornadoVM JIT, so this reads every kernel's bytecode for what the JIT rejects. The lint itself is
 * tested on deliberately bad kernels, one per rule.
 */
class KernelBytecodeLintTest {

    /** Every kernel family of the project; a new *Kernels class must be added here (checked below). */
    static final List<Class<?>> KERNELS = List.of(ActivationKernels.class, AttentionKernels.class, BoxKernels.class, ConvKernels.class, ElementwiseKernels.class, FlashAttentionKernels.class, GroupLayerNormKernels.class, LayerNormKernels.class, MaskKernels.class,
            LinearKernels.class, PatchEmbedKernels.class, PoolingKernels.class, ResampleKernels.class, RoiAlignKernels.class, SoftmaxKernels.class,
            TiledLinearKernels.class, WindowAttentionKernels.class, FlashWindowAttentionKernels.class, GroupSoftmaxKernels.class,
            ImplicitGemmConvKernels.class, GroupNormKernels.class, SinePositionKernels.class, MaskedAttentionKernels.class);

    @Test
    void projectKernelsPassTheLint() {
        List<String> problems = KernelLint.check(KERNELS.toArray(Class<?>[]::new));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyKernelFamilyIsLinted() throws IOException, URISyntaxException {
        Path dir = Path.of(ActivationKernels.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/vitornado/kernels");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> families = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith("Kernels.class")).map(n -> n.substring(0, n.length() - 6)).sorted().toList();
            assertEquals(KERNELS.stream().map(Class::getSimpleName).sorted().toList(), families);
        }
    }

    @Test
    void goodKernelsAreAccepted() {
        assertEquals(List.of(), KernelLint.check(GoodKernels.class));
    }

    @Test
    void eachRuleCatchesItsViolation() {
        String report = String.join("\n", KernelLint.check(BadKernels.class));
        for (String expected : List.of(
                "BadKernels.parallelFromOffset@", "does not start at a constant",
                "BadKernels.allocates@", "allocates an object",
                "BadKernels.variableArray@", "non-constant size",
                "BadKernels.throwsException@", "throws an exception",
                "BadKernels.lambda@", "invokedynamic",
                "BadKernels.bitCast@", "Float.floatToRawIntBits",
                "BadKernels.lookupTable@", "reads static array",
                "BadKernels.virtualCall@", "virtual call",
                "BadKernels.foreignStatic@", "calls java/lang/System.nanoTime",
                "BadKernels.locks@", "takes a lock",
                "BadKernels.reservedName: variable 'kernel' is an OpenCL C keyword",
                "BadKernels.passesPrivateArray@", "passes a private or local array",
                "BadKernels.recursive: recursion")) {
            assertTrue(report.contains(expected), "lint did not report '" + expected + "':\n" + report);
        }
    }
}
