package org.vitornado.cli;

/** The command line was wrong: the message says how; the command's usage follows it. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
