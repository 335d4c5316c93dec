package io.mjpegserver.server.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.mjpegserver.server.config.NamedFile;
import io.mjpegserver.server.config.TlsFiles;
import io.mjpegserver.server.config.StartupException;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * The server's TLS context from {@code --tls-cert} and {@code --tls-key}, checked when the server starts: each
 * file readable and of the right kind, and the key the one the certificate was made for (a probe signed with
 * the key must verify with the certificate's public key). Otherwise the server would start and then fail
 * every handshake.
 */
public final class TlsContexts {

    private static final Pattern CERTIFICATE = Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
            Pattern.DOTALL);
    private static final byte[] PROBE = "mjpeg-server: does this key belong to this certificate?".getBytes(US_ASCII);

    private TlsContexts() {
    }

    public static SslContext forServer(TlsFiles files) throws StartupException {
        List<X509Certificate> chain = chain(files.certificate());
        PrivateKey key = PemPrivateKey.read(files.key());
        if (!belongs(key, chain.get(0).getPublicKey())) {
            throw new StartupException("--tls-key " + files.key() + " does not belong to --tls-cert " + files.certificate()
                    + " (the certificate is for another key): give the key the certificate was made for", null);
        }
        SslProvider engine = engine();
        try {
            return build(engine, key, chain);
        } catch (SSLException e) {
            if (engine == SslProvider.JDK) {
                throw cannotServe(files, e);
            }
            // A key BoringSSL does not take (DSA, Ed448) may still do with the JDK's engine.
            try {
                return build(SslProvider.JDK, key, chain);
            } catch (SSLException jdk) {
                throw cannotServe(files, jdk);
            }
        }
    }

    /**
     * The engine TLS is served with: OpenSSL (the BoringSSL the jar carries) when it loads and negotiates ALPN, else
     * the JDK's, which costs several times its CPU per byte. {@code -Dio.netty.handler.ssl.noOpenSsl=true} asks for it.
     */
    public static SslProvider engine() {
        return OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The engine of {@code context}, for the startup line: "OpenSSL" or "the JDK". */
    public static String engineName(SslContext context) {
        return context instanceof OpenSslContext ? "OpenSSL" : "the JDK";
    }

    private static SslContext build(SslProvider engine, PrivateKey key, List<X509Certificate> chain) throws SSLException {
        return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(engine)
                // HTTP/2 needs TLS 1.2+ with its cipher suites (RFC 9113 9.2); the filter keeps those the engine has.
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    private static StartupException cannotServe(TlsFiles files, SSLException e) {
        return new StartupException("cannot serve TLS with --tls-cert " + files.certificate() + " and --tls-key "
                + files.key() + ": " + e.getMessage(), e);
    }

    /** The certificates of a PEM file, the server's own first. */
    private static List<X509Certificate> chain(Path path) throws StartupException {
        String text = new String(NamedFile.read("--tls-cert", path), US_ASCII);
        List<X509Certificate> chain = new ArrayList<>();
        Matcher block = CERTIFICATE.matcher(text);
        while (block.find()) {
            try {
                byte[] der = Base64.getMimeDecoder().decode(block.group(1).strip());
                chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | IllegalArgumentException e) {
                throw new StartupException("--tls-cert " + path + ": certificate " + (chain.size() + 1)
                        + " is not valid (" + e.getMessage() + ")", e);
            }
        }
        if (chain.isEmpty() && text.contains("PRIVATE KEY-----")) {
            throw new StartupException("--tls-cert " + path + " holds a private key, not a certificate:"
                    + " are --tls-cert and --tls-key swapped?", null);
        }
        if (chain.isEmpty()) {
            throw new StartupException("--tls-cert " + path + " holds no PEM certificate (expected: -----BEGIN CERTIFICATE-----)", null);
        }
        return chain;
    }

    /** Whether {@code key} signs what {@code certificateKey} verifies; true when the JDK cannot tell. */
    private static boolean belongs(PrivateKey key, PublicKey certificateKey) {
        try {
            Signature sign = signature(key.getAlgorithm());
            sign.initSign(key);
            sign.update(PROBE);
            byte[] signed = sign.sign();
            Signature verify = signature(key.getAlgorithm());
            verify.initVerify(certificateKey);
            verify.update(PROBE);
            return verify.verify(signed);
        } catch (NoSuchAlgorithmException unknown) {
            return true;
        } catch (GeneralSecurityException mismatch) {
            // A key of another type (an EC key for an RSA certificate) fails here rather than not verifying.
            return false;
        }
    }

    private static Signature signature(String keyAlgorithm) throws GeneralSecurityException {
        switch (keyAlgorithm) {
            case "RSA":
                return Signature.getInstance("SHA256withRSA");
            case "EC":
                return Signature.getInstance("SHA256withECDSA");
            case "EdDSA", "Ed25519", "Ed448":
                return Signature.getInstance("EdDSA");
            case "DSA":
                return Signature.getInstance("SHA256withDSA");
            case "RSASSA-PSS":
                Signature pss = Signature.getInstance("RSASSA-PSS");
                pss.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
                return pss;
            default:
                throw new NoSuchAlgorithmException(keyAlgorithm);
        }
    }
}
