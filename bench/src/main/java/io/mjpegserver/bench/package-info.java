/** The load client and its reports: many MJPEG clients in one process, measuring rate, latency and CPU. */
package io.mjpegserver.bench;
