package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * A declared data movement of a task graph. On the JVM host memory is device memory, so nothing moves: copies are
 * counted for the profiler, and {@link Kind#CONSUME} is checked against the graph that ran before, as TornadoVM
 * resolves it.
 *
 * @param source for {@link Kind#CONSUME}: the graph named as the source, or {@code null} for the unnamed form
 */
record JvmTransfer(Kind kind, int mode, String source, Object[] objects) {

    enum Kind {
        /** {@code transferToDevice}: copied in on the first or on every execution. */
        TO_DEVICE,
        /** {@code transferToHost}: copied out after every execution (or on demand). */
        TO_HOST,
        /** {@code consumeFromDevice}: left on the device by the graph that ran just before. */
        CONSUME,
        /** {@code persistOnDevice}: kept on the device for the next graph. */
        PERSIST
    }

    static JvmTransfer of(String graph, String what, Kind kind, int mode, String source, Object... objects) {
        if (mode != DataTransferMode.FIRST_EXECUTION && mode != DataTransferMode.EVERY_EXECUTION && mode != DataTransferMode.UNDER_DEMAND) {
            throw new IllegalArgumentException("task graph '" + graph + "': " + what + " with unknown mode " + mode);
        }
        for (int i = 0; i < objects.length; i++) {
            if (objects[i] == null) {
                throw new IllegalArgumentException("task graph '" + graph + "': " + what + " argument " + (i + 1) + " is null");
            }
        }
        return new JvmTransfer(kind, mode, source, objects.clone());
    }

    /** Whether TornadoVM would copy these objects to the device before the execution after {@code executed} earlier ones. */
    boolean copiesIn(boolean executedBefore) {
        return kind == Kind.TO_DEVICE && (mode == DataTransferMode.EVERY_EXECUTION || !executedBefore);
    }

    /** Whether TornadoVM copies these objects back after every execution. */
    boolean copiesOut() {
        return kind == Kind.TO_HOST && mode == DataTransferMode.EVERY_EXECUTION;
    }

    long bytes() {
        long n = 0;
        for (Object o : objects) {
            if (o instanceof TornadoNativeArray a) {
                n += a.getNumBytesOfSegment();
            }
        }
        return n;
    }
}
