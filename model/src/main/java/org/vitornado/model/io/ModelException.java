package org.vitornado.model.io;

/**
 * A model cannot be used as given: an unreadable or unknown config, a missing or mis-shaped tensor, an
 * unsupported option. The message names the file and the offending key or tensor.
 */
public class ModelException extends RuntimeException {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
