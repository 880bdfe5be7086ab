package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.LinearKernels;
import org.vitornado.kernels.TiledLinearKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmLinearKernels;
import org.vitornado.runtime.jvm.JvmPackedWeights;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * {@code y = x W^T + b} over token rows, with what follows it fused in: nothing, GELU (an MLP's first layer), or the
 * residual add into {@code y} (an output projection).
 * <ul>
 * <li>portable, version 1: {@code LinearKernels.linear|linearGelu|linearResidual}, grid 2D x = output feature,
 * y = row, one work-item per output;</li>
 * <li>portable, version 2 (GPUs): {@code TiledLinearKernels.*}, one 16 x 16 work-group per 64 x 64 tile of y, tiles
 * of x and W in local memory, 4 x 4 outputs per work-item;</li>
 * <li>JVM: {@code JvmLinearKernels.linear}, grid 2D of 48-row x 2-panel output blocks, a 6 x 64 register tile over W
 * packed once per plan ({@code JvmPackedWeights}).</li>
 * </ul>
 * With fp16 weights ({@code --precision fp16}) the portable versions' {@code ...Half} kernels read an fp16 copy of W
 * (made once per array at plan time); the device never receives the float32 weights.
 * Cost: {@code 2 rows in out} FLOPs; reads x, W, b (and y for the residual), writes y.
 */
public final class LinearOps {

    /** What is applied to {@code x W^T + b} before it is stored. */
    public enum Epilogue {
        NONE, GELU, RESIDUAL
    }

    private LinearOps() {
    }

    public static Step linear(String name, Tokens x, Linear p, Tokens y, Epilogue epilogue, Kernels k) {
        if (x.channels() != p.in() || y.channels() != p.out() || x.rows() != y.rows()) {
            throw new IllegalArgumentException("task " + name + ": linear " + p.in() + " -> " + p.out() + " on rows of " + x.channels() + " into rows of "
                    + y.channels() + " (" + x.rows() + " vs " + y.rows() + " rows)");
        }
        boolean residual = epilogue == Epilogue.RESIDUAL;
        if (residual && x.data() == y.data()) {
            throw new IllegalArgumentException("task " + name + ": a residual linear needs distinct input and output");
        }
        int rows = x.rows();
        long r = rows;
        TaskCost cost = TaskCost.of(2 * r * p.in() * p.out(), r * p.in() + (long) p.in() * p.out() + p.out() + (residual ? r * p.out() : 0),
                r * p.out());
        List<Object> reads = residual ? List.of(x.data(), p.weight(), p.bias(), y.data()) : List.of(x.data(), p.weight(), p.bias());
        List<Object> writes = List.of(y.data());
        if (k.cpu()) {
            int code = switch (epilogue) {
                case NONE -> JvmLinearKernels.PLAIN;
                case GELU -> JvmLinearKernels.GELU;
                case RESIDUAL -> JvmLinearKernels.RESIDUAL;
            };
            String kernel = "JvmLinearKernels.linear" + switch (epilogue) {
                case NONE -> "";
                case GELU -> "+gelu";
                case RESIDUAL -> "+residual";
            };
            JvmPackedWeights packed = k.packed(p.weight(), p.in(), p.out());
            return Step.kernel(name, kernel, JvmLinearKernels.grid(rows, p.out()), cost, Kernels.replacing(reads, p.weight(), packed), writes,
                    KernelCall.of(JvmLinearKernels::linear, k.context(), x.data(), packed, p.bias(), y.data(), rows, p.in(), p.out(), code));
        }
        if (k.halfWeights()) {
            return halfWeights(name, x, p, y, epilogue, k, rows, reads, writes);
        }
        if (k.gpuVersions()) {
            KernelCall call = switch (epilogue) {
                case NONE -> KernelCall.of(TiledLinearKernels::linear, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(), p.out());
                case GELU -> KernelCall.of(TiledLinearKernels::linearGelu, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(), p.out());
                case RESIDUAL -> KernelCall.of(TiledLinearKernels::linearResidual, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(),
                        p.out());
            };
            return Step.kernel(name, "TiledLinearKernels." + kernelName(epilogue), TiledLinearKernels.grid(rows, p.out()), cost, reads, writes, call);
        }
        KernelCall call = switch (epilogue) {
            case NONE -> KernelCall.of(LinearKernels::linear, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(), p.out());
            case GELU -> KernelCall.of(LinearKernels::linearGelu, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(), p.out());
            case RESIDUAL -> KernelCall.of(LinearKernels::linearResidual, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, p.in(),
                    p.out());
        };
        return Step.kernel(name, "LinearKernels." + kernelName(epilogue), LinearKernels.grid(rows, p.out()), cost, reads, writes, call);
    }

    /** The same with the weights read as fp16: the device holds only their fp16 copy, half the bytes. */
    private static Step halfWeights(String name, Tokens x, Linear p, Tokens y, Epilogue epilogue, Kernels k, int rows, List<Object> reads,
            List<Object> writes) {
        HalfFloatArray w = k.half(p.weight());
        List<Object> halfReads = Kernels.replacing(reads, p.weight(), w);
        long r = rows;
        boolean residual = epilogue == Epilogue.RESIDUAL;
        TaskCost cost = new TaskCost(2 * r * p.in() * p.out(),
                Float.BYTES * (r * p.in() + p.out() + (residual ? r * p.out() : 0)) + 2L * p.in() * p.out(), Float.BYTES * r * p.out());
        String kernel = kernelName(epilogue) + "Half";
        if (k.gpuVersions()) {
            KernelCall call = switch (epilogue) {
                case NONE -> KernelCall.of(TiledLinearKernels::linearHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
                case GELU -> KernelCall.of(TiledLinearKernels::linearGeluHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
                case RESIDUAL -> KernelCall.of(TiledLinearKernels::linearResidualHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
            };
            return Step.kernel(name, "TiledLinearKernels." + kernel, TiledLinearKernels.grid(rows, p.out()), cost, halfReads, writes, call);
        }
        KernelCall call = switch (epilogue) {
            case NONE -> KernelCall.of(LinearKernels::linearHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
            case GELU -> KernelCall.of(LinearKernels::linearGeluHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
            case RESIDUAL -> KernelCall.of(LinearKernels::linearResidualHalf, k.context(), x.data(), w, p.bias(), y.data(), rows, p.in(), p.out());
        };
        return Step.kernel(name, "LinearKernels." + kernel, LinearKernels.grid(rows, p.out()), cost, halfReads, writes, call);
    }

    private static String kernelName(Epilogue epilogue) {
        return switch (epilogue) {
            case NONE -> "linear";
            case GELU -> "linearGelu";
            case RESIDUAL -> "linearResidual";
        };
    }
}
