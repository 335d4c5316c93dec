package io.mjpegserver.capture.encode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A NO SIGNAL frame without its words: the {@link NoSignalImage} background alone, encoded by the JDK's ImageIO,
 * so it needs no OpenCV. Shown while OpenCV loads for a feed that passed its frames through. Encoded once per
 * size; not thread-safe.
 */
public final class NoSignalBackground {

    private int width;
    private int height;
    private byte[] jpeg;

    /** The frame at {@code width x height}, in a buffer from {@code alloc} that the caller owns. */
    public ByteBuf render(int width, int height, ByteBufAllocator alloc) {
        if (jpeg == null || width != this.width || height != this.height) {
            jpeg = encode(width, height);
            this.width = width;
            this.height = height;
        }
        return alloc.buffer(jpeg.length).writeBytes(jpeg);
    }

    private static byte[] encode(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Arrays.fill(((DataBufferByte) image.getRaster().getDataBuffer()).getData(), (byte) NoSignalImage.BACKGROUND_LEVEL);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // In memory: ImageIO's default would cache in a temporary file.
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
