package uk.ac.manchester.tornado.api.exceptions;

/** TornadoVM's {@code TornadoBackendNotFound}. */
public class TornadoBackendNotFound extends TornadoRuntimeException {

    public TornadoBackendNotFound(String message) {
        super(message);
    }

}
