package io.mjpegserver.capture.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a relayed frame pins: the buffer it is a slice of. Parts arriving back to back in socket-sized reads, one
 * of which ends a part and begins the next, must leave each frame in a buffer about its own size, not one twice
 * as big (a feed's memory budget counts the frame's size, in its allocator's size class).
 */
class PartMemoryTest {

    private static final int PART = 3 << 20;
    private static final int READ = 64 * 1024;

    @Test
    void aFramePinsABufferAboutItsOwnSize() throws Exception {
        byte[] jpeg = new byte[PART];
        // A JPEG's first and last markers: a part is delivered as soon as its bytes end one.
        jpeg[0] = (byte) 0xFF;
        jpeg[1] = (byte) 0xD8;
        jpeg[PART - 2] = (byte) 0xFF;
        jpeg[PART - 1] = (byte) 0xD9;
        byte[] head = ("--b\r\nContent-Type: image/jpeg\r\nContent-Length: " + PART + "\r\n\r\n").getBytes(US_ASCII);
        byte[] tail = "\r\n".getBytes(US_ASCII);
        ByteBuf stream = Unpooled.buffer();
        for (int i = 0; i < 3; i++) {
            stream.writeBytes(head).writeBytes(jpeg).writeBytes(tail);
        }
        List<ByteBuf> frames = new ArrayList<>();
        try (FrameCumulation cumulation = new FrameCumulation(PooledByteBufAllocator.DEFAULT)) {
            MultipartReader reader = new MultipartReader(cumulation, 8 << 20, "b", (frame, stamp) -> frames.add(frame),
                    () -> { });
            // Reads of 64 KiB but for the first, so that a read ends each part and begins the next.
            reader.read(stream.readSlice(30_000));
            while (stream.isReadable()) {
                reader.read(stream.readSlice(Math.min(READ, stream.readableBytes())));
            }
        } finally {
            stream.release();
        }
        try {
            assertEquals(3, frames.size(), "every part");
            for (ByteBuf frame : frames) {
                ByteBuf root = frame;
                while (root.unwrap() != null) {
                    root = root.unwrap();
                }
                int pinned = root.capacity();
                // Its own buffer, or the cumulation's spare one of 4 MiB: never two frames' worth.
                assertTrue(pinned <= PART * 3 / 2, "the frame pins " + pinned + " bytes for its " + PART);
            }
        } finally {
            frames.forEach(ByteBuf::release);
        }
    }
}
