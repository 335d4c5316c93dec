package io.mjpegserver.capture.relay;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * What went wrong with an upstream, from what Netty and the JDK threw, in our words (never theirs): a phrase that
 * follows the upstream's name, {@code refused the connection (...)}.
 */
final class RelayFailures {

    private RelayFailures() {
    }

    /** A failed connection attempt: refused, unresolvable, unreachable, too slow. */
    static String connectFailed(Throwable cause, RelayTarget target, Duration connectTimeout) {
        Throwable root = unwrap(cause);
        if (root instanceof UnknownHostException) {
            return "has a host name that does not resolve ('" + target.host()
                    + "': check the name, or use the camera's IP address)";
        }
        if (root instanceof ConnectTimeoutException) {
            return "did not accept a connection within " + seconds(connectTimeout)
                    + " (is the address right, and the camera on and reachable?)";
        }
        if (root instanceof NoRouteToHostException) {
            return "cannot be reached: no route to host " + target.host();
        }
        if (root instanceof ConnectException) {
            return "refused the connection on port " + target.port() + " (is the camera on, and the port right?)";
        }
        return failed(cause, connectTimeout);
    }

    /** Anything thrown on a connection once it is set up. */
    static String failed(Throwable cause, Duration connectTimeout) {
        Throwable root = unwrap(cause);
        if (root instanceof SslHandshakeTimeoutException) {
            return "did not complete the TLS handshake within " + seconds(connectTimeout)
                    + " (does it speak https on this port?)";
        }
        if (hasCause(cause, CertificateException.class) || (root instanceof SSLHandshakeException
                && String.valueOf(root.getMessage()).contains("PKIX"))) {
            return "presented a TLS certificate that is not trusted or not for this host name (for a camera's"
                    + " self-signed certificate: trust it with --relay-ca FILE, or skip the check with --relay-insecure)";
        }
        if (root instanceof SSLException) {
            return "failed the TLS handshake (does it speak https on this port?)";
        }
        if (root instanceof TooLongFrameException) {
            return "sent an HTTP status line or headers over the size limit (not a camera's HTTP answer?)";
        }
        if (root instanceof PrematureChannelClosureException || root instanceof ClosedChannelException) {
            return "closed the connection";
        }
        if (root instanceof ReadTimeoutException) {
            return "sent nothing for too long";
        }
        if (root instanceof IOException) {
            return "broke the connection (it was reset or dropped)";
        }
        return "failed: an internal error in the relay (" + root.getClass().getSimpleName() + "), see the log";
    }

    /** Whether {@code cause} is a bug of ours rather than something the upstream or the network did. */
    static boolean internal(Throwable cause) {
        Throwable root = unwrap(cause);
        return !(root instanceof IOException || root instanceof TooLongFrameException
                || root instanceof PrematureChannelClosureException || root instanceof ReadTimeoutException
                || root instanceof ConnectTimeoutException || hasCause(cause, CertificateException.class));
    }

    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static Throwable unwrap(Throwable cause) {
        Throwable root = cause;
        // DecoderException and friends wrap what happened; the SSLException itself says more than its cause.
        while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)
                && !(root instanceof UnknownHostException)) {
            root = root.getCause();
        }
        return root;
    }

    private static boolean hasCause(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Upstream text fit for a one-line message: short, printable ASCII only. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 60; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return text.length() > 60 ? out + "..." : out.toString();
    }
}
