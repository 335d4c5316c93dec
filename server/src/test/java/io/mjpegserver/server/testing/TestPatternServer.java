package io.mjpegserver.server.testing;

import io.mjpegserver.server.MjpegServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real server on the test pattern for a whole test class:
 * {@code @RegisterExtension static final TestPatternServer server = new TestPatternServer(640, 360, 30);}
 */
public final class TestPatternServer implements BeforeAllCallback, AfterAllCallback {

    private final int width;
    private final int height;
    private final double fps;
    private ServerFixture fixture;

    public TestPatternServer(int width, int height, double fps) {
        this.width = width;
        this.height = height;
        this.fps = fps;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        fixture = ServerFixture.testPattern(width, height, fps);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }

    public MjpegServer server() {
        return fixture.server();
    }

    public int port() {
        return fixture.port();
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return fixture.url(path);
    }
}
