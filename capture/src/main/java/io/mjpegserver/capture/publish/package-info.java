/** A frame's way from its source to the ring: the JPEG check, same-frame dropping, stamping, and the one publisher at a time. */
package io.mjpegserver.capture.publish;
