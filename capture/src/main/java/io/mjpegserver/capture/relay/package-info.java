/** The pushed source: an HTTP camera or another server relayed over Netty, its multipart stream read into frames. */
package io.mjpegserver.capture.relay;
