/** Pulled sources: the test pattern, files, V4L2 cameras and RTSP, read through FFmpeg and OpenCV. */
package io.mjpegserver.capture.source;
