/** Encoding images to JPEG: one encoder per thread, a pool of workers that keeps grab order, and the NO SIGNAL image. */
package io.mjpegserver.capture.encode;
