package uk.ac.manchester.tornado.api.enums;

/** When a task graph moves an array between host and device. */
public class DataTransferMode {
    /** Only on the first execution of the plan (weights, constants). */
    public static final int FIRST_EXECUTION = 0;
    /** On every execution (inputs, results). */
    public static final int EVERY_EXECUTION = 1;
    /** Only when the program asks, through {@code TornadoExecutionResult.transferToHost}. */
    public static final int UNDER_DEMAND = 2;

    public DataTransferMode() {
    }
}
