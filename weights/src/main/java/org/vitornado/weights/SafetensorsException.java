package org.vitornado.weights;

import java.io.IOException;

/** A safetensors file is unreadable, malformed or lacks what was asked; the message names the file and tensor. */
public class SafetensorsException extends IOException {

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
