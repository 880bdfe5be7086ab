package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoAPIException}. */
public class TornadoAPIException extends RuntimeException {

    public TornadoAPIException(String message, Exception cause) {
        super(message, cause);
    }

    public TornadoAPIException(String message) {
        super(message);
    }

}
