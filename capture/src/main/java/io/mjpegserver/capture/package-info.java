/**
 * Capture: what a feed is ({@link io.mjpegserver.capture.SourceSpec}, {@link io.mjpegserver.capture.CaptureConfig},
 * {@link io.mjpegserver.capture.CaptureOptions}), the two kinds of source ({@link io.mjpegserver.capture.FrameSource}
 * pulled, {@link io.mjpegserver.capture.PushSource} pushed) and what the capture reports
 * ({@link io.mjpegserver.capture.CaptureStats}). A frame goes source, publish, frame ring; the server reads the ring.
 * This package depends on none of its subpackages: they build on it.
 */
package io.mjpegserver.capture;
