/** When a source runs: the demand of clients (always, or on demand), the pace of its grabs, and the backoff after a loss. */
package io.mjpegserver.capture.pace;
