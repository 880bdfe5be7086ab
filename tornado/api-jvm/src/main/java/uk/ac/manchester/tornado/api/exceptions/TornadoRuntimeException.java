package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoRuntimeException}. */
public class TornadoRuntimeException extends RuntimeException {

    public TornadoRuntimeException(String message) {
        super(message);
    }

    public TornadoRuntimeException(Exception cause) {
        super(cause);
    }

}
