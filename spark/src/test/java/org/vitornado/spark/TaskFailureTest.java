package org.vitornado.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** A failed Spark job is reported in one line: the failure of the task, not Spark's wrapping or stack traces. */
class TaskFailureTest {

    @Test
    void quotesTheTasksFailureWithoutClassNamesOrStackTraces() {
        SparkException e = new SparkException("Job aborted due to stage failure: Task 1 in stage 2.0 failed 4 times, most recent failure: "
                + "Lost task 1.3 in stage 2.0 (TID 112) (127.0.0.1 executor 0): java.lang.NullPointerException: Cannot invoke \"a.B.c()\"\n"
                + "\tat a.B.d(B.java:1)\nDriver stacktrace:\n\tat x.Y.z(Y.scala:2)");
        assertEquals("a task failed: Cannot invoke \"a.B.c()\"", JobCommand.taskFailure(new RuntimeException(e)));
    }

    @Test
    void removesTerminalColours() {
        SparkException e = new SparkException("Job aborted due to stage failure: most recent failure: Lost task 0.0 in stage 1.0 (TID 1) (h executor 1): "
                + "uk.ac.manchester.tornado.api.exceptions.TornadoBailoutRuntimeException: \u001B[31mUnable to build sketch\u001B[0m");
        assertEquals("a task failed: Unable to build sketch", JobCommand.taskFailure(e));
    }

    @Test
    void saysWhenTheDriverCannotReadTheExecutorsError() {
        SparkException e = new SparkException("Job aborted due to stage failure: Task 2 in stage 2.0 failed 4 times, most recent failure: "
                + "Lost task 2.3 in stage 2.0 (TID 114) (127.0.0.1 executor 0): UnknownReason\nDriver stacktrace:");
        assertEquals("a task failed on an executor, with an error the driver cannot read (an exception class only the executors have): see the executors' logs",
                JobCommand.taskFailure(e));
    }

    @Test
    void aCauseOfThisProcessIsDescribedAsTheCliDoes() {
        SparkException e = new SparkException("Job aborted", new IllegalStateException("the model is closed"));
        assertEquals("the model is closed", JobCommand.taskFailure(e));
    }
}
