package io.mjpegserver.server.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mjpegserver.server.config.NamedFile;
import io.mjpegserver.server.config.StartupException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;

/**
 * {@code --auth-file}: the first non-blank line, as editors write it. A UTF-8 byte order mark (Windows
 * Notepad) and the CR of CRLF line ends are not part of the password; surrounding blanks are not either.
 */
final class AuthFile {

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private AuthFile() {
    }

    /** @param what how messages name the setting that gave {@code path}: {@code --auth-file} */
    static String firstLine(String what, Path path) throws StartupException {
        String text;
        try {
            text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(NamedFile.read(what, path))).toString();
        } catch (CharacterCodingException e) {
            throw new StartupException(what + " " + path + " is not UTF-8 text (expected: USER:PASSWORD in UTF-8)", e);
        }
        if (!text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK) {
            text = text.substring(1);
        }
        return text.lines().filter(line -> !line.isBlank()).findFirst().orElse("").strip();
    }
}
