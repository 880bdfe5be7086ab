package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoBailoutRuntimeException}. */
public class TornadoBailoutRuntimeException extends RuntimeException {

    public TornadoBailoutRuntimeException(String message) {
        super(message);
    }

    public TornadoBailoutRuntimeException(String message, Exception cause) {
        super(message, cause);
    }

}
