package io.mjpegserver.capture.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Decoding JPEGs in tests with a decoder that is not the one that encoded them. */
final class Jpegs {

    private Jpegs() {
    }

    /** Decodes {@code jpeg} (not released) and checks its markers. */
    static BufferedImage decode(ByteBuf jpeg) throws IOException {
        assertEquals(0xFFD8, jpeg.getUnsignedShort(jpeg.readerIndex()), "SOI");
        assertEquals(0xFFD9, jpeg.getUnsignedShort(jpeg.writerIndex() - 2), "EOI");
        BufferedImage image = ImageIO.read(new ByteBufInputStream(jpeg.duplicate()));
        if (image == null) {
            throw new IOException("ImageIO could not decode the JPEG");
        }
        return image;
    }

    static int luma(BufferedImage image, int x, int y) {
        int rgb = image.getRGB(x, y);
        return (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
    }
}
