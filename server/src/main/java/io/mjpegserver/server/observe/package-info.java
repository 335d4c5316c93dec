/** What the server shows of itself: the {@code /state} view and the Prometheus metrics. */
package io.mjpegserver.server.observe;
