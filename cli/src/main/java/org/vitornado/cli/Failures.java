package org.vitornado.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.vitornado.model.io.ModelException;

/**
 * One line, in words, for whatever a command throws: the message of our own errors as it is, and for the JVM's and
 * TornadoVM's what happened and what to try, never a Java class name.
 */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable e) {
        String message = message(e);
        if (e instanceof ModelException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return message.isEmpty() ? "invalid input" : message;
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + message + "): use a smaller --batch or --size, or give the JVM more "
                    + "(VITORNADO_JAVA_OPTS=\"-Xmx... -XX:MaxDirectMemorySize=...\")";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow: the model is too deep for the thread's stack (VITORNADO_JAVA_OPTS=-Xss16m)";
        }
        if (e instanceof NoSuchFileException) {
            return message + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return message + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return message + ": exists (nothing is overwritten): choose another output";
        }
        if (e instanceof NotDirectoryException) {
            return message + ": not a directory";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return (f.getFile() == null ? "" : f.getFile() + ": ") + (f.getReason() == null ? "file system error" : f.getReason());
        }
        String name = e.getClass().getSimpleName();
        if (name.equals("TornadoOutOfMemoryException")) {
            return "the device is out of memory" + (message.isEmpty() ? "" : " (" + message + ")") + ": use a smaller --batch or --size";
        }
        if (name.contains("DeviceNotFound") || name.contains("BackendNotFound")) {
            return "no such TornadoVM device" + (message.isEmpty() ? "" : " (" + message + ")")
                    + ": list them with `tornado --devices` and pick one with --device BACKEND:N";
        }
        if (name.startsWith("Tornado")) {
            return "TornadoVM failed" + (message.isEmpty() ? "" : ": " + message);
        }
        if (e instanceof java.io.IOException) {
            return message.isEmpty() ? "input/output error" : message;
        }
        return message.isEmpty() ? "internal error (run with VITORNADO_JAVA_OPTS=-Dvitornado.stacktrace=true and report it)" : message;
    }

    /** The message on one line, without the class-name prefixes some exceptions carry in their messages. */
    private static String message(Throwable e) {
        String m = e.getMessage();
        if ((m == null || m.isBlank()) && e.getCause() != null && e.getCause() != e) {
            m = e.getCause().getMessage();
        }
        if (m == null) {
            return "";
        }
        return withoutClassNames(m).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** {@code "org.vitornado.weights.SafetensorsException: x"} / {@code "java.io.IOException: x"} -> {@code "x"}. */
    public static String withoutClassNames(String message) {
        return message.replaceAll("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error):\\s*", "");
    }
}
