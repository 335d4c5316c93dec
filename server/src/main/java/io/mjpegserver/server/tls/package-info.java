/** TLS: the server's SSL context from PEM files, with HTTP/2 negotiated by ALPN. */
package io.mjpegserver.server.tls;
