package io.mjpegserver.capture;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which live source a feed captures: exactly one per feed. */
public sealed interface SourceSpec {

    /** A short kind name for logs and {@code /state}: {@code test-pattern}, {@code camera}, {@code file}, {@code relay}, {@code rtsp}. */
    String kind();

    /** What a user would recognise: {@code /dev/video0}, a file path, {@code test pattern}. */
    String describe();

    /** The built-in synthetic moving image. */
    record TestPattern() implements SourceSpec {
        @Override
        public String kind() {
            return "test-pattern";
        }

        @Override
        public String describe() {
            return "test pattern";
        }
    }

    /**
     * A V4L2 camera by its device node: {@code /dev/video<index>}, or a stable name such as
     * {@code /dev/v4l/by-id/usb-...-video-index0}, which stays the same camera when cameras are replugged.
     * {@code controls} are set in order at each open: a control's name as {@code --list-devices} prints it
     * ({@code brightness}), and its value (a number, or a menu item's name such as {@code 50hz}).
     */
    record Camera(Path devicePath, Map<String, String> controls) implements SourceSpec {
        public Camera {
            if (devicePath == null || !devicePath.isAbsolute()) {
                throw new IllegalArgumentException("device: " + devicePath + " (expected: an absolute path such as /dev/video0)");
            }
            controls = Collections.unmodifiableMap(new LinkedHashMap<>(controls));
        }

        /** The camera at {@code devicePath}, its controls as they are. */
        public Camera(Path devicePath) {
            this(devicePath, Map.of());
        }

        /** The camera {@code /dev/video<index>}. */
        public Camera(int index) {
            this(indexPath(index));
        }

        public Camera withControls(Map<String, String> controls) {
            return new Camera(devicePath, controls);
        }

        private static Path indexPath(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("device: " + index + " (expected: >= 0)");
            }
            return Path.of("/dev/video" + index);
        }

        @Override
        public String kind() {
            return "camera";
        }

        @Override
        public String describe() {
            return devicePath().toString();
        }
    }

    /**
     * A network source: an {@code http://} or {@code https://} MJPEG stream or single JPEG (relayed), or an
     * {@code rtsp://} stream (through FFmpeg). Credentials may be in the URL.
     */
    record Url(java.net.URI uri) implements SourceSpec {
        public Url {
            String scheme = uri == null ? null : uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")
                    || scheme.equalsIgnoreCase("rtsp")) || uri.getHost() == null) {
                throw new IllegalArgumentException("url: '" + DisplayUrl.of(uri) + "' (expected: http://, https:// or rtsp://"
                        + " followed by a host, such as http://192.168.1.10/video.mjpg)");
            }
        }

        /** Whether frames come over RTSP (pulled through FFmpeg) rather than HTTP (pushed, relayed). */
        public boolean rtsp() {
            return uri.getScheme().equalsIgnoreCase("rtsp");
        }

        @Override
        public String kind() {
            return rtsp() ? "rtsp" : "relay";
        }

        /** The URL as {@link DisplayUrl} shows it, for logs, {@code /state} and errors. */
        @Override
        public String describe() {
            return DisplayUrl.of(uri);
        }

        /** Never the URL's credentials or query values, wherever a record is printed. */
        @Override
        public String toString() {
            return "Url[" + describe() + "]";
        }
    }

    /** A video file FFmpeg can read, looped forever. */
    record VideoFile(Path path) implements SourceSpec {
        public VideoFile {
            if (path == null) {
                throw new IllegalArgumentException("file: null (expected: a path)");
            }
        }

        @Override
        public String kind() {
            return "file";
        }

        @Override
        public String describe() {
            return path.toString();
        }
    }
}
