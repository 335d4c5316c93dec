package io.mjpegserver.server.cli;

import io.mjpegserver.server.config.DeriveConfig;
import io.mjpegserver.capture.CaptureConfig;
import io.mjpegserver.capture.CaptureOptions;
import io.mjpegserver.capture.relay.RelayOptions;
import io.mjpegserver.server.config.LimitsConfig;
import io.mjpegserver.server.config.ListenConfig;
import io.mjpegserver.server.config.MirrorConfig;
import io.mjpegserver.server.config.StreamConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Each option's default, as the flag would take it, read from the config records: the flags, their
 * {@code ${DEFAULT-VALUE}} in {@code --help}, and the config file's keys all default to what the library does.
 */
final class Defaults implements IDefaultValueProvider {

    /**
     * {@code --max-connection-rate}'s default, the one that differs from the library's ({@link LimitsConfig#DEFAULTS}:
     * no limit): a server on the network is limited unless told, an embedded one is left to its caller.
     */
    static final int MAX_CONNECTION_RATE = 20;

    /** {@code --log-level}'s default: logging is the command's, not a record's. */
    static final String LOG_LEVEL = "info";

    private static final Map<String, String> BY_KEY = byKey();

    private static Map<String, String> byKey() {
        CaptureConfig capture = CaptureConfig.testPattern();
        CaptureOptions options = CaptureOptions.DEFAULTS;
        RelayOptions relay = RelayOptions.DEFAULTS;
        ListenConfig listen = ListenConfig.DEFAULTS;
        LimitsConfig limits = LimitsConfig.DEFAULTS;
        Map<String, String> d = new HashMap<>();
        d.put("mirror-max-feeds", String.valueOf(MirrorConfig.DEFAULT_MAX_FEEDS));
        d.put("quality", String.valueOf(capture.quality()));
        d.put("ring-size", String.valueOf(capture.ringSize()));
        d.put("ring-seconds", number(options.ringSeconds()));
        d.put("idle-grace", seconds(options.idleGrace()));
        d.put("relay-max-part", size(relay.maxPartBytes()));
        d.put("relay-connect-timeout", seconds(relay.connectTimeout()));
        d.put("relay-read-timeout", seconds(relay.readTimeout()));
        d.put("workers", options.workers() == CaptureOptions.AUTO_WORKERS ? "auto" : String.valueOf(options.workers()));
        d.put("memory", options.memory() == CaptureOptions.AUTO_MEMORY ? "auto" : String.valueOf(options.memory()));
        d.put("text-position", "top-left");
        d.put("max-variants", String.valueOf(DeriveConfig.DEFAULT_MAX_VARIANTS));
        d.put("host", listen.host());
        d.put("port", String.valueOf(listen.port()));
        d.put("boundary", StreamConfig.DEFAULTS.boundary());
        d.put("client-timeout", seconds(limits.clientTimeout()));
        d.put("send-buffer", String.valueOf(listen.sendBuffer() / 1024));
        d.put("max-clients", String.valueOf(limits.maxClients()));
        d.put("max-clients-per-address", String.valueOf(limits.maxClientsPerAddress()));
        d.put("max-connection-rate", String.valueOf(MAX_CONNECTION_RATE));
        d.put("request-timeout", seconds(limits.requestTimeout()));
        d.put("log-level", LOG_LEVEL);
        return Map.copyOf(d);
    }

    /** The default of the option named {@code --key}, as its flag would be given; null for none (a switch: off). */
    static String of(String key) {
        return BY_KEY.get(key);
    }

    /** The keys that have a default. */
    static Iterable<String> keys() {
        return BY_KEY.keySet();
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return argSpec instanceof OptionSpec option ? of(option.longestName().substring(2)) : null;
    }

    /** 2.0 as {@code 2}, 0.5 as {@code 0.5}. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    /** In the largest binary unit that divides it, as {@code --relay-max-part} takes it: {@code 8MiB}. */
    private static String size(int bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + "MiB" : bytes % 1024 == 0 ? (bytes >> 10) + "KiB" : String.valueOf(bytes);
    }
}
