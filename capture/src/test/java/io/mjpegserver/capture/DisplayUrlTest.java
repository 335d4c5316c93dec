package io.mjpegserver.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** What a URL looks like in every log line and message: no user, no password, no query value. */
class DisplayUrlTest {

    @Test
    void hidesTheUserThePasswordAndEveryQueryValue() {
        assertEquals("http://cam:8080/video.mjpg?token=***",
                DisplayUrl.of(URI.create("http://admin:s3cret@cam:8080/video.mjpg?token=SECRETTOKEN")));
        assertEquals("rtsp://10.0.0.5/stream1", DisplayUrl.of(URI.create("rtsp://admin@10.0.0.5/stream1")));
        assertEquals("http://[::1]:8080/cgi?user=***&pwd=***&***&=***",
                DisplayUrl.of(URI.create("http://[::1]:8080/cgi?user=admin&pwd=x%20y&flag&=v")));
        assertEquals("https://cam/a?x=***#***", DisplayUrl.of(URI.create("https://u:p@cam/a?x=1#frag")));
        assertEquals("http://cam:81", DisplayUrl.of(URI.create("http://cam:81")));
        assertEquals("http://cam/", new SourceSpec.Url(URI.create("http://u:p@cam/")).describe());
        assertEquals("Url[http://cam/?k=***]", new SourceSpec.Url(URI.create("http://u:p@cam/?k=v")).toString());
    }

    @Test
    void hidesThemInTextThatIsNotAUrlToo() {
        // A password with a space and a slash: not a URI, still nothing of it shown.
        assertEquals("http://cam/a b?token=***", DisplayUrl.of("http://admin:pa ss/wd@cam/a b?token=SECRET"));
        assertEquals("http://cam:8080/?a=***&b=***", DisplayUrl.of("http://u:p@cam:8080/?a=1&b=2"));
        assertEquals("ftp://cam/x", DisplayUrl.of("ftp://viewer:hunter2@cam/x"));
        assertEquals("not a url", DisplayUrl.of("not a url"));
    }
}
