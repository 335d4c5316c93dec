/** The command line and the YAML file, turned into the server's configuration; exit codes and startup messages. */
package io.mjpegserver.server.cli;
