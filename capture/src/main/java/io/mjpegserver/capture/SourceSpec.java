package io.mjpegserver.capture;

import java.nio.file.Path;

/** Which live source to capture: exactly one per server. */
public sealed interface SourceSpec {

    /** A short kind name for logs and {@code /state}: {@code test-pattern}, {@code camera}, {@code file}. */
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

    /** A V4L2 camera, {@code /dev/video<index>}. */
    record Camera(int index) implements SourceSpec {
        public Camera {
            if (index < 0) {
                throw new IllegalArgumentException("device: " + index + " (expected: >= 0)");
            }
        }

        public Path devicePath() {
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
