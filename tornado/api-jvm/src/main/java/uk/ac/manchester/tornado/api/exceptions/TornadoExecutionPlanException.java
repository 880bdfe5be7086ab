package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoExecutionPlanException}. */
public class TornadoExecutionPlanException extends Exception {

    public TornadoExecutionPlanException(String message) {
        super(message);
    }

    public TornadoExecutionPlanException(String message, Throwable cause) {
        super(message, cause);
    }

}
