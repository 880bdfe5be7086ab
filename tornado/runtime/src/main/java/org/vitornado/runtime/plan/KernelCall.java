package org.vitornado.runtime.plan;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.common.TornadoFunctions;

/**
 * A kernel method and the arguments of one task, captured before the task is given to a {@link TaskGraph}: a plan
 * first records its tasks, then decides which graph each goes into. {@code KernelCall.of(Kernels::method, a, b, ...)}
 * is typed like {@code TaskGraph.task}, so a wrong argument fails to compile as it would there.
 */
public record KernelCall(Object function, Object[] args) {

    public KernelCall {
        args = args.clone();
    }

    @Override
    public Object[] args() {
        return args.clone();
    }

    /** The number of arguments (what TornadoVM records per task). */
    public int arity() {
        return args.length;
    }

    /** Adds this call to {@code graph} as task {@code name}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void addTo(TaskGraph graph, String name) {
        Object[] a = args;
        switch (a.length) {
            case 1 -> graph.task(name, (TornadoFunctions.Task1) function, a[0]);
            case 2 -> graph.task(name, (TornadoFunctions.Task2) function, a[0], a[1]);
            case 3 -> graph.task(name, (TornadoFunctions.Task3) function, a[0], a[1], a[2]);
            case 4 -> graph.task(name, (TornadoFunctions.Task4) function, a[0], a[1], a[2], a[3]);
            case 5 -> graph.task(name, (TornadoFunctions.Task5) function, a[0], a[1], a[2], a[3], a[4]);
            case 6 -> graph.task(name, (TornadoFunctions.Task6) function, a[0], a[1], a[2], a[3], a[4], a[5]);
            case 7 -> graph.task(name, (TornadoFunctions.Task7) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
            case 8 -> graph.task(name, (TornadoFunctions.Task8) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
            case 9 -> graph.task(name, (TornadoFunctions.Task9) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
            case 10 -> graph.task(name, (TornadoFunctions.Task10) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
            case 11 -> graph.task(name, (TornadoFunctions.Task11) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
            case 12 -> graph.task(name, (TornadoFunctions.Task12) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
            case 13 -> graph.task(name, (TornadoFunctions.Task13) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
            case 14 -> graph.task(name, (TornadoFunctions.Task14) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13]);
            case 15 -> graph.task(name, (TornadoFunctions.Task15) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]);
            case 16 -> graph.task(name, (TornadoFunctions.Task16) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
            case 17 -> graph.task(name, (TornadoFunctions.Task17) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16]);
            case 18 -> graph.task(name, (TornadoFunctions.Task18) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17]);
            case 19 -> graph.task(name, (TornadoFunctions.Task19) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18]);
            case 20 -> graph.task(name, (TornadoFunctions.Task20) function, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15], a[16], a[17], a[18], a[19]);
            default -> throw new IllegalStateException("a task takes 1 to 20 arguments, got " + a.length);
        }
    }

    public static <T1> KernelCall of(TornadoFunctions.Task1<T1> f, T1 a1) {
        return new KernelCall(f, new Object[] {a1});
    }

    public static <T1, T2> KernelCall of(TornadoFunctions.Task2<T1, T2> f, T1 a1, T2 a2) {
        return new KernelCall(f, new Object[] {a1, a2});
    }

    public static <T1, T2, T3> KernelCall of(TornadoFunctions.Task3<T1, T2, T3> f, T1 a1, T2 a2, T3 a3) {
        return new KernelCall(f, new Object[] {a1, a2, a3});
    }

    public static <T1, T2, T3, T4> KernelCall of(TornadoFunctions.Task4<T1, T2, T3, T4> f, T1 a1, T2 a2, T3 a3, T4 a4) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4});
    }

    public static <T1, T2, T3, T4, T5> KernelCall of(TornadoFunctions.Task5<T1, T2, T3, T4, T5> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5});
    }

    public static <T1, T2, T3, T4, T5, T6> KernelCall of(TornadoFunctions.Task6<T1, T2, T3, T4, T5, T6> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6});
    }

    public static <T1, T2, T3, T4, T5, T6, T7> KernelCall of(TornadoFunctions.Task7<T1, T2, T3, T4, T5, T6, T7> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8> KernelCall of(TornadoFunctions.Task8<T1, T2, T3, T4, T5, T6, T7, T8> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9> KernelCall of(TornadoFunctions.Task9<T1, T2, T3, T4, T5, T6, T7, T8, T9> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> KernelCall of(TornadoFunctions.Task10<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> KernelCall of(TornadoFunctions.Task11<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> KernelCall of(TornadoFunctions.Task12<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> KernelCall of(TornadoFunctions.Task13<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> KernelCall of(TornadoFunctions.Task14<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> KernelCall of(TornadoFunctions.Task15<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16> KernelCall of(TornadoFunctions.Task16<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15, T16 a16) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17> KernelCall of(TornadoFunctions.Task17<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15, T16 a16, T17 a17) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18> KernelCall of(TornadoFunctions.Task18<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15, T16 a16, T17 a17, T18 a18) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19> KernelCall of(TornadoFunctions.Task19<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15, T16 a16, T17 a17, T18 a18, T19 a19) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19});
    }

    public static <T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20> KernelCall of(TornadoFunctions.Task20<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20> f, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11, T12 a12, T13 a13, T14 a14, T15 a15, T16 a16, T17 a17, T18 a18, T19 a19, T20 a20) {
        return new KernelCall(f, new Object[] {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20});
    }

}
