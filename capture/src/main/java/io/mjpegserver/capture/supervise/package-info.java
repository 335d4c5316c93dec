/**
 * Supervision and restart: {@link io.mjpegserver.capture.supervise.CaptureService} runs one source into its ring,
 * drives it as a pulled or a pushed source, reopens it after a loss, and its watchdog publishes NO SIGNAL frames
 * while it is down.
 */
package io.mjpegserver.capture.supervise;
