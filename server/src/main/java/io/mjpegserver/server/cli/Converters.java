package io.mjpegserver.server.cli;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.server.stream.MultipartFormat;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Typed flag values; each rejection says what was given and what is expected. */
final class Converters {

    private Converters() {
    }

    private static long integer(String value, String expected) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' (expected: " + expected + ")");
        }
    }

    private static int range(String value, long min, long max, String expected) {
        long n = integer(value, expected);
        if (n < min || n > max) {
            throw new TypeConversionException("'" + value + "' (expected: " + expected + ")");
        }
        return (int) n;
    }

    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return range(value, 0, 65535, "a port from 0 to 65535");
        }
    }

    static final class DeviceIndex implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return range(value, 0, 255, "a camera index from 0 to 255, as in /dev/video0");
        }
    }

    static final class Quality implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return range(value, 1, 100, "a JPEG quality from 1 to 100");
        }
    }

    static final class RingSize implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return range(value, 2, 64, "2 to 64 frames");
        }
    }

    static final class SendBuffer implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int kib = range(value, 0, 65536, "0 for the kernel's autotuning, or 4 to 65536 KiB");
            if (kib != 0 && kib < 4) {
                throw new TypeConversionException("'" + value + "' (expected: 0 for the kernel's autotuning, or 4 to 65536 KiB)");
            }
            return kib;
        }
    }

    static final class Limit implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return range(value, 0, 1_000_000, "0 for no limit, or a number of clients up to 1000000");
        }
    }

    static final class Credentials implements ITypeConverter<io.mjpegserver.server.ServerConfig.Credentials> {
        @Override
        public io.mjpegserver.server.ServerConfig.Credentials convert(String value) {
            try {
                return io.mjpegserver.server.ServerConfig.Credentials.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LogLevel implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String level = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (!java.util.List.of("error", "warn", "info", "debug", "trace").contains(level)) {
                throw new TypeConversionException("'" + value + "' (expected: error, warn, info, debug or trace)");
            }
            return level;
        }
    }

    static final class Fps implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String expected = "frames per second from 0.1 to " + (int) CaptureConfig.MAX_FPS;
            try {
                double fps = Double.parseDouble(value.trim());
                if (fps >= 0.1 && fps <= CaptureConfig.MAX_FPS) {
                    return fps;
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the expectation.
            }
            throw new TypeConversionException("'" + value + "' (expected: " + expected + ")");
        }
    }

    static final class Size implements ITypeConverter<VideoSize> {
        @Override
        public VideoSize convert(String value) {
            try {
                return VideoSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().startsWith("'") ? e.getMessage()
                        : "'" + value + "': " + e.getMessage());
            }
        }
    }

    static final class Boundary implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return MultipartFormat.checkBoundary(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' (expected: 16 to 60 letters or digits)");
            }
        }
    }

    static final class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                double seconds = Double.parseDouble(value.trim());
                if (seconds >= 0.1 && seconds <= 86_400) {
                    return Duration.ofMillis(Math.round(seconds * 1000));
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the expectation.
            }
            throw new TypeConversionException("'" + value + "' (expected: seconds from 0.1 to 86400)");
        }
    }
}
