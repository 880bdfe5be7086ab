package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/** A declared host/device transfer; on the JVM only its size is counted. */
record JvmTransfer(int mode, boolean toDevice, Object[] objects) {

    static JvmTransfer of(String graph, String what, int mode, boolean toDevice, Object... objects) {
        if (mode != DataTransferMode.FIRST_EXECUTION && mode != DataTransferMode.EVERY_EXECUTION && mode != DataTransferMode.UNDER_DEMAND) {
            throw new IllegalArgumentException("task graph '" + graph + "': " + what + " with unknown mode " + mode);
        }
        for (int i = 0; i < objects.length; i++) {
            if (objects[i] == null) {
                throw new IllegalArgumentException("task graph '" + graph + "': " + what + " argument " + (i + 1) + " is null");
            }
        }
        return new JvmTransfer(mode, toDevice, objects.clone());
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
