package io.mjpegserver.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference and the man page are what the code makes of its flags today; with
 * {@code -Dregenerate=true} the test writes them instead ({@link ReferenceDocs#REGENERATE}).
 */
class ReferenceDocsTest {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void theReferenceDocumentsAreWhatTheCodeMakes() throws Exception {
        boolean regenerate = Boolean.getBoolean("regenerate");
        for (Map.Entry<String, String> document : ReferenceDocs.documents().entrySet()) {
            Path file = ROOT.resolve(document.getKey());
            if (regenerate) {
                Files.writeString(file, document.getValue(), StandardCharsets.UTF_8);
            }
            assertEquals(document.getValue(), Files.exists(file) ? Files.readString(file) : "", document.getKey()
                    + " is not what the code makes of its flags: regenerate it with " + ReferenceDocs.REGENERATE);
        }
    }
}
