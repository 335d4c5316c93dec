/** The fan-out: each frame made into one multipart part and written to every client of its feed from the ring's memory, over HTTP/1.1 or HTTP/2. */
package io.mjpegserver.server.stream;
