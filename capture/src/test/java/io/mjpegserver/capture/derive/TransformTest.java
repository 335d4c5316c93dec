package io.mjpegserver.capture.derive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mjpegserver.capture.VideoSize;
import io.mjpegserver.capture.derive.Transform.Crop;
import io.mjpegserver.capture.derive.Transform.Flip;
import io.mjpegserver.capture.derive.Transform.Overlay;
import io.mjpegserver.capture.derive.Transform.Rotation;
import io.mjpegserver.capture.derive.Transform.Scale;
import org.junit.jupiter.api.Test;

class TransformTest {

    private static final VideoSize HD = new VideoSize(1920, 1080);

    @Test
    void parsesWhatUsersWrite() {
        assertEquals(new Crop(640, 360, 320, 180), Crop.parse("640x360+320+180"));
        assertEquals(Rotation.CW270, Rotation.ofDegrees(270));
        assertEquals(90, Rotation.CW90.degrees());
        assertEquals(Flip.HORIZONTAL, Flip.parse("horizontal"));
        assertEquals(Flip.NONE, Flip.parse("none"));
        assertEquals(Overlay.Position.TOP_RIGHT, Overlay.Position.parse("top-right"));
    }

    @Test
    void rejectsBadValuesInOneLine() {
        assertMessage("crop: '640x360' (expected: WxH+X+Y, e.g. 640x360+320+180)", () -> Crop.parse("640x360"));
        assertMessage("crop: 641x360+0+0 (expected: even width and height from 16 to 8192, x and y >= 0)",
                () -> Crop.parse("641x360+0+0"));
        assertMessage("rotate: 45 (expected: 0, 90, 180 or 270)", () -> Rotation.ofDegrees(45));
        assertMessage("flip: 'diagonal' (expected: horizontal, vertical or none)", () -> Flip.parse("diagonal"));
        assertMessage("text position: 'bottom' (expected: top-left or top-right)", () -> Overlay.Position.parse("bottom"));
        assertMessage("scale: 0x0 (expected: width and height from 0 to 8192, not both 0)", () -> new Scale(0, 0));
        assertMessage("quality: 0 (expected: 1 to 100)", () -> Transform.quality(0));
    }

    private static void assertMessage(String expected, Runnable bad) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, bad::run).getMessage());
    }

    @Test
    void computesTheExactOutputSize() {
        Transform q = Transform.quality(50);
        assertEquals(HD, q.outputSize(HD));
        assertTrue(q.keepsGeometry());
        assertEquals(new VideoSize(640, 360), q.withScale(new Scale(640, 0)).outputSize(HD));
        assertEquals(new VideoSize(320, 180), q.withScale(new Scale(0, 180)).outputSize(HD));
        assertEquals(new VideoSize(640, 480), q.withScale(new Scale(640, 480)).outputSize(HD));
        assertEquals(new VideoSize(1080, 1920), q.withRotation(Rotation.CW90).outputSize(HD));
        assertEquals(new VideoSize(718, 1278), q.withRotation(Rotation.CW270).outputSize(new VideoSize(1278, 718)));
        assertEquals(HD, q.withFlip(Flip.VERTICAL).outputSize(HD));
        assertFalse(q.withFlip(Flip.VERTICAL).keepsGeometry());
        // Crop, then turn, then scale the turned picture to 320 wide.
        Transform all = q.withCrop(Crop.parse("800x600+0+0")).withRotation(Rotation.CW90).withScale(new Scale(320, 0));
        assertEquals(new VideoSize(320, 426), all.outputSize(HD), "600x800 at 320 wide: 426.7, to even");
        assertEquals(new VideoSize(1920, 1080), q.withCrop(Crop.parse("4000x4000+10+10")).outputSize(HD), "clamped");
        assertEquals(new VideoSize(1080, 608), new Scale(1080, 0).of(HD), "607.5 to even");
    }
}
