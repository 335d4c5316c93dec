/** Frames and the ring that holds the newest of them: where capture hands frames to the server, without a copy. */
package io.mjpegserver.capture.frame;
