/** The server: {@link io.mjpegserver.server.MjpegServer} starts the feeds and the listening socket, and stops them. */
package io.mjpegserver.server;
