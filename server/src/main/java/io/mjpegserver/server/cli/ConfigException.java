package io.mjpegserver.server.cli;

/**
 * A config file the server cannot use: its message is the whole one line for the user, naming the file, the
 * line, the feed, the key, the value and what is expected. The command exits with status 2, as for a bad flag.
 */
final class ConfigException extends Exception {

    ConfigException(String message) {
        super(message, null, false, false);
    }
}
