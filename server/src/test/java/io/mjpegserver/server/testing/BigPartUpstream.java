package io.mjpegserver.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * An MJPEG camera on 127.0.0.1 whose parts are as big as asked: one small real JPEG padded with comment
 * segments (which decoders skip) to {@code partBytes}, the same bytes every part, sent at {@code fps} to each
 * connection once {@link #send()} is called, until {@link #close()}.
 */
public final class BigPartUpstream implements AutoCloseable {

    private final ServerSocket socket;
    private final byte[] jpeg;
    private final double fps;
    private final CountDownLatch sending = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private volatile boolean closed;

    public BigPartUpstream(int partBytes, double fps) throws IOException {
        this.jpeg = padded(partBytes);
        this.fps = fps;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    public String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/video.mjpg";
    }

    /** Parts start (or keep) going out. */
    public void send() {
        sending.countDown();
    }

    /** A 64x48 JPEG padded to exactly {@code bytes} with COM segments after its SOI. */
    static byte[] padded(int bytes) throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream small = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", small);
        byte[] base = small.toByteArray();
        byte[] out = new byte[bytes];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        int at = 2;
        int padding = bytes - base.length;
        while (padding > 0) {
            int segment = Math.min(padding, 65535 + 2);
            if (padding - segment > 0 && padding - segment < 4) {
                segment -= 4;
            }
            out[at] = (byte) 0xFF;
            out[at + 1] = (byte) 0xFE;
            int length = segment - 2;
            out[at + 2] = (byte) (length >> 8);
            out[at + 3] = (byte) length;
            at += segment;
            padding -= segment;
        }
        System.arraycopy(base, 2, out, at, base.length - 2);
        return out;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = socket.accept();
                pool.execute(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; OutputStream out = client.getOutputStream()) {
            client.getInputStream().read(new byte[4096]);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=bigpartboundary\r\n\r\n")
                    .getBytes(US_ASCII));
            out.flush();
            while (!closed && !sending.await(100, TimeUnit.MILLISECONDS)) {
                // Connected, but silent until asked to send.
            }
            byte[] head = ("--bigpartboundary\r\nContent-Type: image/jpeg\r\nContent-Length: " + jpeg.length + "\r\n\r\n")
                    .getBytes(US_ASCII);
            long period = (long) (1e9 / fps);
            long next = System.nanoTime();
            while (!closed) {
                out.write(head);
                out.write(jpeg);
                out.write("\r\n".getBytes(US_ASCII));
                out.flush();
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The server went, or we were closed.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
