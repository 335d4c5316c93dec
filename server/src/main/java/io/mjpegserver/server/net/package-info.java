/** Sockets: the transport (epoll or NIO), the listening socket (TCP, unix, or passed by systemd) and the machine's addresses. */
package io.mjpegserver.server.net;
