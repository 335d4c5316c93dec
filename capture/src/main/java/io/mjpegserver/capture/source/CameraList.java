package io.mjpegserver.capture.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code --list-devices}: this machine's cameras as V4L2 itself enumerates them (name, formats, sizes, rates,
 * controls), capture nodes only. The nodes are the {@code /dev/videoN} that {@code --device N} takes, each looked at
 * by its path, so a camera appears whatever made its node.
 */
public final class CameraList {

    /** The highest N of {@code /dev/videoN} looked at. */
    public static final int MAX_INDEX = V4l2.MAX_INDEX;

    private CameraList() {
    }

    /** The listing, a line each; empty when no capture node is found. */
    public static List<String> lines() {
        Map<Path, List<String>> stableNames = stableNames();
        List<String> lines = new ArrayList<>();
        for (int index = 0; index <= MAX_INDEX; index++) {
            Path node = Path.of("/dev/video" + index);
            if (!Files.exists(node)) {
                continue;
            }
            V4l2.Description d;
            try {
                d = V4l2.describe(node);
            } catch (IOException e) {
                lines.add(node + ": " + e.getMessage());
                continue;
            }
            if (!d.capability().videoCapture()) {
                continue; // a metadata node (or an output): no frames to stream
            }
            V4l2.Capability cap = d.capability();
            lines.add(node + ": " + cap.card() + " (" + cap.driver() + ", " + cap.busInfo() + ")");
            List<String> names = stableNames.getOrDefault(node, List.of());
            if (!names.isEmpty()) {
                lines.add("  also: " + String.join(", ", names));
            }
            lines.add("  formats:");
            for (V4l2.Format format : d.formats()) {
                lines.add("    " + format.fourcc() + " (" + format.description() + "): " + format.sizes().stream()
                        .map(size -> size.fps().isEmpty() ? size.size()
                                : size.size() + " at " + String.join(", ", size.fps()) + " fps")
                        .collect(Collectors.joining("; ")));
            }
            lines.add("  controls:");
            for (V4l2.Control c : d.controls()) {
                String line = "    " + c.name() + ": " + c.type() + " " + c.minimum() + ".." + c.maximum()
                        + (c.step() > 1 ? " step " + c.step() : "") + ", default " + c.defaultValue();
                if (!c.menu().isEmpty()) {
                    line += " (" + c.menu().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")) + ")";
                }
                lines.add(line);
            }
        }
        return lines;
    }

    /** The udev links to each node, {@code /dev/v4l/by-id/...} and {@code /dev/v4l/by-path/...}, by the node. */
    private static Map<Path, List<String>> stableNames() {
        Map<Path, List<String>> names = new TreeMap<>();
        for (String dir : List.of("/dev/v4l/by-id", "/dev/v4l/by-path")) {
            try (Stream<Path> links = Files.list(Path.of(dir))) {
                for (Path link : links.sorted().toList()) {
                    try {
                        names.computeIfAbsent(link.toRealPath(), n -> new ArrayList<>()).add(link.toString());
                    } catch (IOException ignored) {
                        // A link to a node gone since the listing.
                    }
                }
            } catch (IOException ignored) {
                // No such folder: no udev, or no camera.
            }
        }
        return names;
    }
}
