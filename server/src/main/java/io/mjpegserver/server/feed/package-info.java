/** Feeds: a capture, its ring and its broadcaster under one name; an edge's feeds follow its origin's. */
package io.mjpegserver.server.feed;
