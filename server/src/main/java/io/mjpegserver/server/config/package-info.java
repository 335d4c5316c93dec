/** How to serve, validated once and immutable: listening, TLS, auth, limits, streaming and the feeds. */
package io.mjpegserver.server.config;
