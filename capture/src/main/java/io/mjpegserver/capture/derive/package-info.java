/**
 * Derived frames: a {@link io.mjpegserver.capture.derive.DerivedStream} turns each frame of a source ring into one
 * transformed JPEG ({@link io.mjpegserver.capture.derive.Transform}: crop, rotate, flip, scale, text) for a ring of
 * its own, and a {@link io.mjpegserver.capture.derive.Wall} composes several rings' newest frames into one grid per
 * tick; both on the shared {@link io.mjpegserver.capture.derive.DeriveWorkers}.
 */
package io.mjpegserver.capture.derive;
