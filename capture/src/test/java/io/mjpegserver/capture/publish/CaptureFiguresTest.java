package io.mjpegserver.capture.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The source's rate as {@code actualFps} shows it: known from the second frame, and held between slow frames. */
class CaptureFiguresTest {

    private static final long START = TimeUnit.SECONDS.toNanos(1000);

    @Test
    void halfAFramePerSecondIsShownFromTheSecondFrameAndBetweenFrames() {
        CaptureFigures figures = new CaptureFigures();
        figures.frame(at(0), 0, 0);
        assertEquals(0, figures.fps(at(1.9)), 1e-9, "one frame is no rate yet");
        figures.frame(at(2), 0, 0);
        assertEquals(0.5, figures.fps(at(2)), 1e-9);
        assertEquals(0.5, figures.fps(at(3.9)), 1e-9, "between frames, 2 s apart");
        figures.frame(at(4), 0, 0);
        assertEquals(0.5, figures.fps(at(9.9)), 1e-9, "three frame intervals late is still the rate");
        assertEquals(0, figures.fps(at(10.1)), 1e-9, "more than three intervals without a frame: none");
    }

    @Test
    void thirtyFramesPerSecondAndTheirStop() {
        CaptureFigures figures = new CaptureFigures();
        figures.frame(at(0), 0, 0);
        figures.frame(at(1 / 30.0), 0, 0);
        assertEquals(30, figures.fps(at(1 / 30.0)), 1e-6);
        for (int i = 2; i < 100; i++) {
            figures.frame(at(i / 30.0), 0, 0);
        }
        double last = 99 / 30.0;
        assertEquals(30, figures.fps(at(last + 0.5)), 1e-6);
        assertEquals(30, figures.fps(at(last + 1.9)), 1e-6, "a fast source is given 2 s before it reads 0");
        assertEquals(0, figures.fps(at(last + 2.1)), 1e-9);
    }

    @Test
    void aRateChangeShowsOverTheLastFrames() {
        CaptureFigures figures = new CaptureFigures();
        double t = 0;
        for (int i = 0; i < 40; i++, t += 1 / 30.0) {
            figures.frame(at(t), 0, 0);
        }
        for (int i = 0; i < 20; i++) {
            t += 0.2;
            figures.frame(at(t), 0, 0);
        }
        assertEquals(5, figures.fps(at(t)), 1e-6);
    }

    private static long at(double seconds) {
        return START + Math.round(seconds * 1e9);
    }
}
