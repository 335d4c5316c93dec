package io.mjpegserver.server.config;

import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.relay.RelayOptions;
import java.util.regex.Pattern;

/**
 * One feed: its name (the {@code NAME} of {@code /cam/NAME/stream}), what it captures and how. Validated once,
 * immutable.
 *
 * @param relay  how an http(s) upstream is relayed (TLS trust, part size, timeouts); its rate is the capture's
 * @param derive its transform and how many variants it may have
 */
public record FeedConfig(String name, CaptureConfig capture, CaptureOptions options, RelayOptions relay,
        DeriveConfig derive) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");

    /** The name of the feed the command line's single source makes. */
    public static final String DEFAULT_NAME = "default";

    public FeedConfig {
        checkName(name);
        if (capture == null) {
            throw new IllegalArgumentException("feed " + name + ": no source (expected: one of url, device, file, test-pattern)");
        }
        if (options == null) {
            options = CaptureOptions.DEFAULTS;
        }
        if (relay == null) {
            relay = RelayOptions.DEFAULTS;
        }
        if (derive == null) {
            derive = DeriveConfig.DEFAULTS;
        }
    }

    /** With no transform and the default {@code max-variants}. */
    public FeedConfig(String name, CaptureConfig capture, CaptureOptions options, RelayOptions relay) {
        this(name, capture, options, relay, DeriveConfig.DEFAULTS);
    }

    /** The same feed with other capture options (its memory, an edge's on-demand). */
    public FeedConfig withOptions(CaptureOptions options) {
        return new FeedConfig(name, capture, options, relay, derive);
    }

    /** With the relay's defaults. */
    public FeedConfig(String name, CaptureConfig capture, CaptureOptions options) {
        this(name, capture, options, RelayOptions.DEFAULTS);
    }

    /** @throws IllegalArgumentException naming the value and what a feed name may be */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("feed name: '" + name + "' (expected: 1 to 64 of a-z, 0-9 and -,"
                    + " not starting or ending with -)");
        }
        return name;
    }
}
