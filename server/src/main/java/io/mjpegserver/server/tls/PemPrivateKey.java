package io.mjpegserver.server.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.mjpegserver.server.config.NamedFile;
import io.mjpegserver.server.config.StartupException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code --tls-key}: an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}) of any algorithm the JDK
 * knows, or an RSA key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as older tools write), which is wrapped into
 * PKCS#8 here; certificates in the same file are passed over. Anything else is refused with what it is and the
 * {@code openssl} line that converts it.
 */
final class PemPrivateKey {

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final List<String> ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7,
        0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final String FLAG = "--tls-key";

    private PemPrivateKey() {
    }

    static PrivateKey read(Path path) throws StartupException {
        String text = new String(NamedFile.read(FLAG, path), US_ASCII);
        Matcher block = BLOCK.matcher(text);
        // One file may hold the certificate chain and the key, in either order: the certificates are not the key.
        boolean found = block.find();
        while (found && block.group(1).equals("CERTIFICATE")) {
            found = block.find();
        }
        if (!found) {
            throw new StartupException(FLAG + " " + path + " holds no PEM private key (expected: -----BEGIN PRIVATE KEY-----)", null);
        }
        String type = block.group(1);
        String body = block.group(2);
        if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new StartupException(FLAG + " " + path + " is encrypted, which is not supported: decrypt it with "
                    + convert(path, "key-decrypted.pem") + " (it asks for the passphrase)", null);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException e) {
            throw invalid(path, e);
        }
        if (type.equals("RSA PRIVATE KEY")) {
            return decode(path, pkcs8(der), List.of("RSA"));
        }
        if (!type.equals("PRIVATE KEY")) {
            throw new StartupException(FLAG + " " + path + " holds a '" + type + "' block, not a PKCS#8 key (expected:"
                    + " -----BEGIN PRIVATE KEY-----): convert it with " + convert(path, "key8.pem"), null);
        }
        return decode(path, der, ALGORITHMS);
    }

    private static String convert(Path path, String out) {
        return "openssl pkcs8 -topk8 -nocrypt -in " + path + " -out " + out;
    }

    private static PrivateKey decode(Path path, byte[] pkcs8, List<String> algorithms) throws StartupException {
        GeneralSecurityException last = null;
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw invalid(path, last);
    }

    private static StartupException invalid(Path path, Exception cause) {
        return new StartupException(FLAG + " " + path + " is not a valid private key (expected: -----BEGIN PRIVATE KEY-----,"
                + " unencrypted PKCS#8)", cause);
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { the PKCS#1 RSAPrivateKey } }, DER. */
    private static byte[] pkcs8(byte[] pkcs1) {
        ByteArrayOutputStream octets = new ByteArrayOutputStream();
        octets.write(0x04);
        length(octets, pkcs1.length);
        octets.writeBytes(pkcs1);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(new byte[] {0x02, 0x01, 0x00});
        content.writeBytes(RSA_ALGORITHM);
        content.writeBytes(octets.toByteArray());
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(0x30);
        length(info, content.size());
        info.writeBytes(content.toByteArray());
        return info.toByteArray();
    }

    /** A DER length: one byte below 128, else 0x80 + the count of big-endian bytes that follow. */
    private static void length(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        int bytes = length > 0xFFFFFF ? 4 : length > 0xFFFF ? 3 : length > 0xFF ? 2 : 1;
        out.write(0x80 + bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            out.write(length >>> (8 * i));
        }
    }
}
