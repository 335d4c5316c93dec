package io.mjpegserver.capture.relay;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts an upstream's TLS certificate by the certificates the user gave ({@code relay-ca}): one of them presented
 * as is (a camera's self-signed certificate, whatever host name or dates it names: the user gave this very one),
 * or one signed by one of them, checked as the JDK checks a chain, with the host name (the engine's endpoint
 * identification).
 */
final class GivenCertificates extends X509ExtendedTrustManager {

    private final List<X509Certificate> given;
    private final X509ExtendedTrustManager signedByGiven;

    GivenCertificates(List<X509Certificate> given) {
        this.given = List.copyOf(given);
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            for (int i = 0; i < given.size(); i++) {
                anchors.setCertificateEntry("given-" + i, given.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(anchors);
            X509ExtendedTrustManager found = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    found = x509;
                }
            }
            if (found == null) {
                throw new IllegalStateException("the JDK has no X509ExtendedTrustManager");
            }
            this.signedByGiven = found;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("TLS trust is not available in this JVM for https:// relays", e);
        }
    }

    private boolean isGiven(X509Certificate[] chain) {
        return chain != null && chain.length > 0 && given.contains(chain[0]);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        if (!isGiven(chain)) {
            signedByGiven.checkServerTrusted(chain, authType, engine);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        if (!isGiven(chain)) {
            signedByGiven.checkServerTrusted(chain, authType, socket);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (!isGiven(chain)) {
            signedByGiven.checkServerTrusted(chain, authType);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a relay trusts servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a relay trusts servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a relay trusts servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return given.toArray(new X509Certificate[0]);
    }
}
