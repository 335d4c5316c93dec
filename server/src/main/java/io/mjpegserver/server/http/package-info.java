/** HTTP/1.1 and HTTP/2 requests: the pipeline, limits and timeouts, routing, auth, and the responders (snapshot, state, metrics, health). */
package io.mjpegserver.server.http;
