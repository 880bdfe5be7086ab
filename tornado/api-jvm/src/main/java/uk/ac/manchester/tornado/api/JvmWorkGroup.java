package uk.ac.manchester.tornado.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Phaser;
import java.util.function.Supplier;

/**
 * What the work-items of one work-group share on the JVM: local arrays and, in cooperative mode (one virtual
 * thread per work-item), a barrier. A work-item that finishes leaves the barrier, so a kernel whose padded
 * work-items return early does not hang the others.
 */
final class JvmWorkGroup {

    private final List<Object> locals = new ArrayList<>();
    /** Null in sequential mode, where a barrier call means the kernel needs cooperative mode. */
    private final Phaser phaser;
    private volatile boolean barrierSeen;

    JvmWorkGroup(boolean cooperative, int items) {
        this.phaser = cooperative ? new Phaser(items) : null;
    }

    synchronized <T> T local(int index, Supplier<T> create) {
        while (locals.size() <= index) {
            locals.add(null);
        }
        @SuppressWarnings("unchecked")
        T array = (T) locals.get(index);
        if (array == null) {
            array = create.get();
            locals.set(index, array);
        }
        return array;
    }

    void barrier() {
        barrierSeen = true;
        if (phaser == null) {
            throw new IllegalStateException("localBarrier() in a work-group run sequentially: this kernel's first "
                    + "work-group used no barrier, later ones must not either");
        }
        phaser.arriveAndAwaitAdvance();
    }

    /** A work-item is done (normally or not): it no longer takes part in barriers. */
    void leave() {
        if (phaser != null) {
            phaser.arriveAndDeregister();
        }
    }

    /** Stops every waiting work-item (after one of them failed). */
    void abort() {
        if (phaser != null) {
            phaser.forceTermination();
        }
    }

    boolean barrierSeen() {
        return barrierSeen;
    }
}
