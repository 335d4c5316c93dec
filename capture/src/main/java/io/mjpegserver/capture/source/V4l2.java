package io.mjpegserver.capture.source;

import com.sun.jna.Function;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The few V4L2 calls the server makes itself, through JNA (FFmpeg makes those of streaming): {@code VIDIOC_QUERYCAP}
 * to tell a camera's capture node from its metadata node. {@code open}, {@code ioctl} and {@code close} are looked
 * up in the process ({@code dlopen(NULL)}), not in libc's own handle, so that a library loaded before libc (an
 * {@code LD_PRELOAD}) answers them as it answers FFmpeg.
 */
final class V4l2 {

    static final int CAP_VIDEO_CAPTURE = 0x00000001;
    static final int CAP_META_CAPTURE = 0x00800000;
    private static final int CAP_DEVICE_CAPS = 0x80000000;
    /** {@code _IOR('V', 0, struct v4l2_capability)}: the struct is 104 bytes. */
    private static final long VIDIOC_QUERYCAP = 0x80685600L;
    private static final int CAPABILITY_SIZE = 104;
    private static final int O_RDONLY_NONBLOCK_CLOEXEC = 0 | 04000 | 02000000;
    /** The nodes probed for a camera: the indexes {@code --device} takes. */
    static final int MAX_INDEX = 255;

    private V4l2() {
    }

    /** What {@code VIDIOC_QUERYCAP} says of a node; {@code deviceCaps} are this node's, not the whole device's. */
    record Capability(String driver, String card, String busInfo, int deviceCaps) {
        boolean videoCapture() {
            return (deviceCaps & CAP_VIDEO_CAPTURE) != 0;
        }

        /** A node that gives only metadata (UVC's timestamps), never frames: uvcvideo makes one per camera. */
        boolean metadataOnly() {
            return !videoCapture() && (deviceCaps & CAP_META_CAPTURE) != 0;
        }
    }

    private static final class Libc {
        static final Function OPEN = NativeLibrary.getProcess().getFunction("open", Function.THROW_LAST_ERROR);
        static final Function IOCTL = NativeLibrary.getProcess().getFunction("ioctl", Function.THROW_LAST_ERROR);
        static final Function CLOSE = NativeLibrary.getProcess().getFunction("close");
    }

    /** {@code device}'s capabilities; an IOException when it cannot be opened or is no V4L2 node. */
    static Capability capability(Path device) throws IOException {
        int fd;
        try {
            fd = Libc.OPEN.invokeInt(new Object[] {device.toString(), O_RDONLY_NONBLOCK_CLOEXEC});
        } catch (LastErrorException e) {
            throw new IOException("open " + device + ": errno " + e.getErrorCode(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("no native access to " + device + ": " + e, e);
        }
        try (Memory cap = new Memory(CAPABILITY_SIZE)) {
            cap.clear();
            Libc.IOCTL.invokeInt(new Object[] {fd, new NativeLong(VIDIOC_QUERYCAP), cap});
            int capabilities = cap.getInt(84);
            int deviceCaps = (capabilities & CAP_DEVICE_CAPS) != 0 ? cap.getInt(88) : capabilities;
            return new Capability(text(cap, 0, 16), text(cap, 16, 32), text(cap, 48, 32), deviceCaps);
        } catch (LastErrorException e) {
            throw new IOException("VIDIOC_QUERYCAP on " + device + ": errno " + e.getErrorCode(), e);
        } finally {
            Libc.CLOSE.invokeInt(new Object[] {fd});
        }
    }

    /** The capture node of the camera whose metadata node says {@code meta}: the node on the same bus that gives video. */
    static Optional<Path> captureNodeOf(Capability meta) {
        for (int index = 0; index <= MAX_INDEX; index++) {
            Path node = Path.of("/dev/video" + index);
            if (Files.exists(node)) {
                try {
                    Capability cap = capability(node);
                    if (cap.videoCapture() && cap.busInfo().equals(meta.busInfo())) {
                        return Optional.of(node);
                    }
                } catch (IOException ignored) {
                    // Busy, forbidden or no V4L2 node: not the one asked for.
                }
            }
        }
        return Optional.empty();
    }

    private static String text(Memory memory, long offset, int length) {
        byte[] bytes = memory.getByteArray(offset, length);
        int end = 0;
        while (end < length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
