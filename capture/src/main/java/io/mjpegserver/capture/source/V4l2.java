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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The V4L2 calls the server makes itself, through JNA: {@code QUERYCAP} (capture or metadata node), the
 * enumerations {@code --list-devices} prints, and the controls a feed sets. {@code open}, {@code ioctl} and {@code close} are looked up in the
 * process ({@code dlopen(NULL)}), not libc's own handle, so an {@code LD_PRELOAD} answers them as it answers FFmpeg.
 */
final class V4l2 {

    static final int CAP_VIDEO_CAPTURE = 0x00000001;
    static final int CAP_META_CAPTURE = 0x00800000;
    private static final int CAP_DEVICE_CAPS = 0x80000000;
    /** {@code _IOR('V', 0, struct v4l2_capability)}: the struct is 104 bytes. */
    private static final long VIDIOC_QUERYCAP = 0x80685600L;
    private static final int CAPABILITY_SIZE = 104;
    /** The other ioctls, {@code _IOWR('V', nr, struct)}, and their structs' sizes on 64-bit Linux. */
    private static final long VIDIOC_ENUM_FMT = 0xC0405602L;
    private static final int FMTDESC_SIZE = 64;
    private static final long VIDIOC_ENUM_FRAMESIZES = 0xC02C564AL;
    private static final int FRMSIZEENUM_SIZE = 44;
    private static final long VIDIOC_ENUM_FRAMEINTERVALS = 0xC034564BL;
    private static final int FRMIVALENUM_SIZE = 52;
    private static final long VIDIOC_QUERYCTRL = 0xC0445624L;
    private static final int QUERYCTRL_SIZE = 68;
    private static final long VIDIOC_QUERYMENU = 0xC02C5625L;
    private static final int QUERYMENU_SIZE = 44;
    /** {@code struct v4l2_control}: its id, then its value. */
    private static final long VIDIOC_G_CTRL = 0xC008561BL;
    private static final long VIDIOC_S_CTRL = 0xC008561CL;
    private static final int CONTROL_SIZE = 8;
    private static final int BUF_TYPE_VIDEO_CAPTURE = 1;
    private static final int FRMSIZE_TYPE_DISCRETE = 1;
    private static final int FRMIVAL_TYPE_DISCRETE = 1;
    private static final int CTRL_FLAG_NEXT_CTRL = 0x80000000;
    private static final int CTRL_FLAG_DISABLED = 0x0001;
    private static final int CTRL_TYPE_INTEGER = 1;
    private static final int CTRL_TYPE_BOOLEAN = 2;
    private static final int CTRL_TYPE_MENU = 3;
    private static final int CTRL_TYPE_CTRL_CLASS = 6;
    private static final int CTRL_TYPE_INTEGER_MENU = 9;
    private static final int O_RDONLY_NONBLOCK_CLOEXEC = 0 | 04000 | 02000000;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int EINVAL = 22;
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

    /** A pixel format with its sizes, each with its frame rates (fps, fastest first as the camera lists them). */
    record Format(String fourcc, String description, List<Size> sizes) {
    }

    /** A size the camera offers: discrete, or a step-wise range written {@code 16x16-1920x1080}. */
    record Size(String size, List<String> fps) {
    }

    /** A control as {@code QUERYCTRL} gives it; {@code menu} names its menu items by value. */
    record Control(int id, String name, String type, int minimum, int maximum, int step, int defaultValue,
            Map<Integer, String> menu) {

        /**
         * {@code value} as this control takes it: a number, {@code true}/{@code false} for a switch, or a menu item's
         * name ({@code 50hz} for {@code 50 Hz}); null when it is none of its values.
         */
        Integer parse(String value) {
            String v = value.trim();
            Integer number;
            if (type.equals("bool") && (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"))) {
                number = v.equalsIgnoreCase("true") ? 1 : 0;
            } else if (v.matches("-?[0-9]{1,10}")) {
                number = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Long.parseLong(v)));
            } else {
                number = menu.entrySet().stream().filter(e -> word(e.getValue()).equals(word(v))).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
            }
            if (number == null || number < minimum || number > maximum || (!menu.isEmpty() && !menu.containsKey(number))) {
                return null;
            }
            return number;
        }

        /** What {@link #parse} takes, in words: {@code 0 to 255}, {@code 0 (disabled), 1 (50hz), 2 (60hz)}. */
        String expected() {
            if (!menu.isEmpty()) {
                return menu.entrySet().stream().map(e -> e.getKey() + " (" + word(e.getValue()) + ")")
                        .collect(java.util.stream.Collectors.joining(", "));
            }
            return type.equals("bool") ? "true or false" : minimum + " to " + maximum;
        }

        private static String word(String name) {
            return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        }
    }

    /** Everything {@code --list-devices} prints of one capture node. */
    record Description(Capability capability, List<Format> formats, List<Control> controls) {
    }

    /** {@code device}'s capabilities; an IOException when it cannot be opened or is no V4L2 node. */
    static Capability capability(Path device) throws IOException {
        try (Node node = Node.open(device)) {
            return node.capability();
        }
    }

    /** {@code device}'s capabilities, and for a capture node its formats, sizes, rates and controls. */
    static Description describe(Path device) throws IOException {
        try (Node node = Node.open(device)) {
            Capability capability = node.capability();
            if (!capability.videoCapture()) {
                return new Description(capability, List.of(), List.of());
            }
            return new Description(capability, node.formats(), node.controls());
        }
    }

    /** A control a camera lacks, or a value it does not take: the message names both and what it takes. */
    static final class ControlException extends Exception {
        ControlException(String message) {
            super(message);
        }
    }

    /**
     * Sets each of {@code wanted} (a control's name as {@code --list-devices} prints it, and its value) in order, then
     * reads each back: the values the camera holds, by name. Every name and value is checked before any is set.
     */
    static Map<String, Integer> setControls(Path device, Map<String, String> wanted) throws IOException, ControlException {
        try (Node node = Node.open(device)) {
            if (!node.capability().videoCapture()) {
                throw new IOException("not a capture node");
            }
            Map<String, Control> offered = new LinkedHashMap<>();
            for (Control control : node.controls()) {
                offered.put(control.name(), control);
            }
            Map<Control, Integer> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                Control control = offered.get(e.getKey());
                if (control == null) {
                    throw new ControlException("camera " + device + " has no control " + e.getKey() + " (expected one of: "
                            + String.join(", ", offered.keySet()) + ")");
                }
                Integer value = control.parse(e.getValue());
                if (value == null) {
                    throw new ControlException("camera " + device + ", control " + e.getKey() + ": '" + e.getValue()
                            + "' (expected: " + control.expected() + ")");
                }
                values.put(control, value);
            }
            Map<String, Integer> held = new LinkedHashMap<>();
            for (Map.Entry<Control, Integer> e : values.entrySet()) {
                node.set(e.getKey().id(), e.getValue(), e.getKey().name());
            }
            for (Control control : values.keySet()) {
                held.put(control.name(), node.get(control.id(), control.name()));
            }
            return held;
        }
    }

    /** One open node; closed by its user. */
    private static final class Node implements AutoCloseable {
        private final Path device;
        private final int fd;

        private Node(Path device, int fd) {
            this.device = device;
            this.fd = fd;
        }

        static Node open(Path device) throws IOException {
            try {
                return new Node(device, Libc.OPEN.invokeInt(new Object[] {device.toString(), O_RDONLY_NONBLOCK_CLOEXEC}));
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                throw new IOException(errno == EACCES ? "not readable: add this user to the 'video' group"
                        : errno == EBUSY ? "busy: another program holds it" : "cannot be opened (errno " + errno + ")", e);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new IOException("no native access to " + device + ": " + e, e);
            }
        }

        /** The ioctl's result: false when the driver says EINVAL (the end of an enumeration). */
        private boolean ioctl(long request, Memory arg, String name) throws IOException {
            try {
                Libc.IOCTL.invokeInt(new Object[] {fd, new NativeLong(request), arg});
                return true;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINVAL) {
                    return false;
                }
                throw new IOException(name + " on " + device + ": errno " + e.getErrorCode(), e);
            }
        }

        Capability capability() throws IOException {
            try (Memory cap = zeroed(CAPABILITY_SIZE)) {
                if (!ioctl(VIDIOC_QUERYCAP, cap, "VIDIOC_QUERYCAP")) {
                    throw new IOException("VIDIOC_QUERYCAP on " + device + ": not a V4L2 device");
                }
                int capabilities = cap.getInt(84);
                int deviceCaps = (capabilities & CAP_DEVICE_CAPS) != 0 ? cap.getInt(88) : capabilities;
                return new Capability(text(cap, 0, 16), text(cap, 16, 32), text(cap, 48, 32), deviceCaps);
            }
        }

        List<Format> formats() throws IOException {
            List<Format> formats = new ArrayList<>();
            for (int index = 0; index < 64; index++) {
                try (Memory desc = zeroed(FMTDESC_SIZE)) {
                    desc.setInt(0, index);
                    desc.setInt(4, BUF_TYPE_VIDEO_CAPTURE);
                    if (!ioctl(VIDIOC_ENUM_FMT, desc, "VIDIOC_ENUM_FMT")) {
                        break;
                    }
                    int pixelFormat = desc.getInt(44);
                    formats.add(new Format(fourcc(pixelFormat), text(desc, 12, 32), sizes(pixelFormat)));
                }
            }
            return formats;
        }

        private List<Size> sizes(int pixelFormat) throws IOException {
            List<Size> sizes = new ArrayList<>();
            for (int index = 0; index < 256; index++) {
                try (Memory size = zeroed(FRMSIZEENUM_SIZE)) {
                    size.setInt(0, index);
                    size.setInt(4, pixelFormat);
                    if (!ioctl(VIDIOC_ENUM_FRAMESIZES, size, "VIDIOC_ENUM_FRAMESIZES")) {
                        break;
                    }
                    if (size.getInt(8) != FRMSIZE_TYPE_DISCRETE) {
                        // Continuous or step-wise: min and max width at 12 and 16, height at 24 and 28.
                        sizes.add(new Size(size.getInt(12) + "x" + size.getInt(24) + "-" + size.getInt(16) + "x"
                                + size.getInt(28), List.of()));
                        break;
                    }
                    int width = size.getInt(12);
                    int height = size.getInt(16);
                    sizes.add(new Size(width + "x" + height, rates(pixelFormat, width, height)));
                }
            }
            return sizes;
        }

        private List<String> rates(int pixelFormat, int width, int height) throws IOException {
            List<String> rates = new ArrayList<>();
            for (int index = 0; index < 64; index++) {
                try (Memory interval = zeroed(FRMIVALENUM_SIZE)) {
                    interval.setInt(0, index);
                    interval.setInt(4, pixelFormat);
                    interval.setInt(8, width);
                    interval.setInt(12, height);
                    if (!ioctl(VIDIOC_ENUM_FRAMEINTERVALS, interval, "VIDIOC_ENUM_FRAMEINTERVALS")) {
                        break;
                    }
                    if (interval.getInt(16) != FRMIVAL_TYPE_DISCRETE) {
                        // Continuous or step-wise: the slowest (max interval) and fastest (min interval) rates.
                        rates.add(fps(interval.getInt(28), interval.getInt(32)) + "-" + fps(interval.getInt(20), interval.getInt(24)));
                        break;
                    }
                    rates.add(fps(interval.getInt(20), interval.getInt(24)));
                }
            }
            return rates;
        }

        List<Control> controls() throws IOException {
            List<Control> controls = new ArrayList<>();
            int id = 0;
            for (int n = 0; n < 1024; n++) {
                try (Memory query = zeroed(QUERYCTRL_SIZE)) {
                    query.setInt(0, id | CTRL_FLAG_NEXT_CTRL);
                    if (!ioctl(VIDIOC_QUERYCTRL, query, "VIDIOC_QUERYCTRL")) {
                        break;
                    }
                    id = query.getInt(0);
                    int type = query.getInt(4);
                    if (type == CTRL_TYPE_CTRL_CLASS || (query.getInt(56) & CTRL_FLAG_DISABLED) != 0) {
                        continue;
                    }
                    int minimum = query.getInt(40);
                    int maximum = query.getInt(44);
                    Map<Integer, String> menu = type == CTRL_TYPE_MENU || type == CTRL_TYPE_INTEGER_MENU
                            ? menu(id, type, minimum, maximum) : Map.of();
                    controls.add(new Control(id, controlName(text(query, 8, 32)), typeName(type), minimum, maximum,
                            query.getInt(48), query.getInt(52), menu));
                }
            }
            return controls;
        }

        private Map<Integer, String> menu(int id, int type, int minimum, int maximum) throws IOException {
            Map<Integer, String> items = new LinkedHashMap<>();
            for (int index = Math.max(0, minimum); index <= maximum && index < minimum + 64; index++) {
                try (Memory item = zeroed(QUERYMENU_SIZE)) {
                    item.setInt(0, id);
                    item.setInt(4, index);
                    if (ioctl(VIDIOC_QUERYMENU, item, "VIDIOC_QUERYMENU")) {
                        items.put(index, type == CTRL_TYPE_MENU ? text(item, 8, 32) : Long.toString(item.getLong(8)));
                    }
                }
            }
            return items;
        }

        void set(int id, int value, String name) throws IOException {
            try (Memory control = zeroed(CONTROL_SIZE)) {
                control.setInt(0, id);
                control.setInt(4, value);
                if (!ioctl(VIDIOC_S_CTRL, control, "VIDIOC_S_CTRL")) {
                    throw new IOException(name + ": " + value + " refused by the camera");
                }
            }
        }

        int get(int id, String name) throws IOException {
            try (Memory control = zeroed(CONTROL_SIZE)) {
                control.setInt(0, id);
                if (!ioctl(VIDIOC_G_CTRL, control, "VIDIOC_G_CTRL")) {
                    throw new IOException(name + ": not readable");
                }
                return control.getInt(4);
            }
        }

        @Override
        public void close() {
            Libc.CLOSE.invokeInt(new Object[] {fd});
        }
    }

    /** A control's name as {@code v4l2-ctl} writes it: {@code Power Line Frequency} is {@code power_line_frequency}. */
    static String controlName(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    private static String typeName(int type) {
        return switch (type) {
            case CTRL_TYPE_INTEGER -> "int";
            case CTRL_TYPE_BOOLEAN -> "bool";
            case CTRL_TYPE_MENU, CTRL_TYPE_INTEGER_MENU -> "menu";
            default -> "type " + type;
        };
    }

    private static String fourcc(int code) {
        byte[] chars = {(byte) code, (byte) (code >>> 8), (byte) (code >>> 16), (byte) (code >>> 24)};
        return new String(chars, StandardCharsets.US_ASCII).trim();
    }

    /** A frame interval {@code numerator/denominator} seconds as a rate: {@code 30}, {@code 7.5}. */
    private static String fps(int numerator, int denominator) {
        if (numerator <= 0) {
            return "?";
        }
        double fps = (double) denominator / numerator;
        return fps == Math.rint(fps) ? Long.toString((long) fps) : String.format(Locale.ROOT, "%.2f", fps);
    }

    private static Memory zeroed(int size) {
        Memory memory = new Memory(size);
        memory.clear();
        return memory;
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
