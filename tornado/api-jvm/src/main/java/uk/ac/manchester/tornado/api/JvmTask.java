package uk.ac.manchester.tornado.api;

import uk.ac.manchester.tornado.api.common.TornadoFunctions;

/** One recorded task: the kernel (a TaskN lambda) and its arguments. */
record JvmTask(String graph, String name, Object code, Object[] args, java.util.concurrent.atomic.AtomicInteger barrierUse) {

    /** {@link #barrierUse} states: not yet known, work-items run one by one, work-items need a shared barrier. */
    static final int UNKNOWN = 0;
    static final int SEQUENTIAL = 1;
    static final int COOPERATIVE = 2;

    JvmTask(String graph, String name, Object code, Object[] args) {
        this(graph, name, code, args, new java.util.concurrent.atomic.AtomicInteger(UNKNOWN));
    }

    String qualifiedName() {
        return graph + "." + name;
    }

    /** Index of the KernelContext argument, or -1 for a plain ({@code @Parallel}) kernel. */
    int contextIndex() {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof KernelContext) {
                return i;
            }
        }
        return -1;
    }

    /** Calls the kernel with {@code a} (this task's arguments, possibly with the context replaced). */
    @SuppressWarnings("unchecked")
    void invoke(Object[] a) {
        switch (a.length) {
            case 0 -> ((TornadoFunctions.Task) code).apply();
            case 1 -> ((TornadoFunctions.Task1<Object>) code).apply(a[0]);
            case 2 -> ((TornadoFunctions.Task2<Object, Object>) code).apply(a[0], a[1]);
            case 3 -> ((TornadoFunctions.Task3<Object, Object, Object>) code).apply(a[0], a[1], a[2]);
            case 4 -> ((TornadoFunctions.Task4<Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3]);
            case 5 -> ((TornadoFunctions.Task5<Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4]);
            case 6 -> ((TornadoFunctions.Task6<Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5]);
            case 7 -> ((TornadoFunctions.Task7<Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
            case 8 -> ((TornadoFunctions.Task8<Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            case 9 -> ((TornadoFunctions.Task9<Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
            case 10 -> ((TornadoFunctions.Task10<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
            case 11 -> ((TornadoFunctions.Task11<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
            case 12 -> ((TornadoFunctions.Task12<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
            case 13 -> ((TornadoFunctions.Task13<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
            case 14 -> ((TornadoFunctions.Task14<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
            case 15 -> ((TornadoFunctions.Task15<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
            case 16 -> ((TornadoFunctions.Task16<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
            case 17 -> ((TornadoFunctions.Task17<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);
            case 18 -> ((TornadoFunctions.Task18<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17]);
            case 19 -> ((TornadoFunctions.Task19<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18]);
            case 20 -> ((TornadoFunctions.Task20<Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object, Object>) code).apply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
            default -> throw new IllegalStateException("tasks take at most 20 arguments");
        }
    }
}
