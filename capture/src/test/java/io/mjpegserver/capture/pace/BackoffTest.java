package io.mjpegserver.capture.pace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void aSourceReopenedOverTheNetworkIsTriedUpTo5sApart() {
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 5000L, 5000L), waits(Backoff.standard(), 7));
    }

    @Test
    void aCameraIsTriedUpTo500msApartSoItIsLiveSoonAfterItComesBack() {
        assertEquals(List.of(250L, 500L, 500L, 500L), waits(Backoff.cheap(), 4));
    }

    @Test
    void aFrameStartsTheScheduleAfresh() {
        Backoff backoff = Backoff.standard();
        waits(backoff, 5);
        backoff.reset();
        assertEquals(List.of(250L, 500L), waits(backoff, 2));
    }

    /** The next {@code count} waits of {@code backoff}, in milliseconds. */
    private static List<Long> waits(Backoff backoff, int count) {
        return Stream.generate(backoff::next).limit(count).map(n -> n / 1_000_000).toList();
    }
}
