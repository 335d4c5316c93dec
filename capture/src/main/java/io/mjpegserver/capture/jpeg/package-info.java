/** JPEG bytes as cameras send them: checked, completed (missing Huffman tables inserted) or dropped before the ring. */
package io.mjpegserver.capture.jpeg;
