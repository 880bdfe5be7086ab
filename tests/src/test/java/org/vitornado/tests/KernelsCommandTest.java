package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.vitornado.runtime.Backend;

/** {@code kernels}: the list, and the generated OpenCL C of one kernel under the real TornadoVM. */
class KernelsCommandTest {

    @Test
    void listsTheBlocksKernelsWithTheirVersions() {
        CliTest.Run r = CliTest.cli("kernels");
        assertEquals(0, r.code(), r.err());
        for (String k : new String[] {"layerNorm", "linear", "attention", "linearResidual", "linearGelu", "softmax"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(k + " ")), k + " missing:\n" + r.out());
        }
        assertTrue(r.out().contains("TiledLinearKernels.linearGelu"), r.out());
    }

    @Test
    void showPrintsWhatTornadoVmGeneratesOrSaysItNeedsTornadoVm() throws IOException, InterruptedException {
        if (Backend.detect() == Backend.TORNADO) {
            CliTest.Run r = CliTest.launcher(Map.of(), "kernels", "--show", "linear", "--version", "2", "--backend", "tornado");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("// Java: TiledLinearKernels.linear, grid 288x64 / 16x16"), r.out());
            assertTrue(r.out().contains("__kernel void linear(") && r.out().contains("barrier(CLK_LOCAL_MEM_FENCE)"), r.out());
            // Every kernel of the list, in the version this device gets.
            for (String k : new String[] {"layerNorm", "attention", "linearResidual", "linearGelu", "softmax"}) {
                CliTest.Run each = CliTest.launcher(Map.of(), "kernels", "--show", k, "--backend", "tornado");
                assertEquals(0, each.code(), k + ": " + each.err());
                assertTrue(each.out().contains("__kernel void " + k + "("), k + ":\n" + each.out());
            }
            // In a process TornadoVM started without tornado.printKernel, it says what is missing.
            CliFailuresTest.failsInOneLine(CliTest.cli("kernels", "--show", "linear"), "kernels", "-Dtornado.printKernel=True");
        } else {
            CliFailuresTest.failsInOneLine(CliTest.cli("kernels", "--show", "linear", "--version", "2"), "kernels", "--show needs the real TornadoVM");
        }
        CliTest.Run bad = CliTest.cli("kernels", "--show", "conv9d");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("vitornado kernels: --show: no kernel 'conv9d'; one of layerNorm, linear"), bad.err());
        CliTest.Run noV2 = CliTest.cli("kernels", "--show", "softmax", "--version", "2");
        assertEquals(2, noV2.code());
        assertTrue(noV2.err().startsWith("vitornado kernels: --version: softmax has versions [1]"), noV2.err());
    }

    /** {@code plan --profile --versions}: both versions of the linear layers timed in one table (TornadoVM only). */
    @Test
    void planComparesTheVersionsOfEachKernel() {
        String model = Fixtures.prefix("vit_token") + ".safetensors";
        if (Backend.detect() == Backend.TORNADO) {
            CliTest.Run r = CliTest.cli("plan", "--model", model, "--profile", "--versions", "--iterations", "1");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("kernel versions (the plan run with version 1, then with version 2"), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("LinearKernels.linearGelu -> TiledLinearKernels.linearGelu ")), r.out());
        } else {
            CliTest.Run r = CliTest.cli("plan", "--model", model, "--profile", "--versions");
            assertEquals(2, r.code());
            assertTrue(r.err().startsWith("vitornado plan: --versions compares the kernels TornadoVM compiles"), r.err());
        }
    }
}
