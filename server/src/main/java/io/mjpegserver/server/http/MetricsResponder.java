package io.mjpegserver.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code /metrics}: Prometheus text exposition format. */
final class MetricsResponder {

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final PrometheusRegistry registry;

    MetricsResponder(PrometheusRegistry registry) {
        this.registry = registry;
    }

    void respond(ChannelHandlerContext ctx, HttpRequest request) {
        ByteBuf body = ctx.alloc().buffer(8192);
        try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
            WRITER.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        // Ownership of body passes to the response.
        Responses.send(ctx, request, Responses.of(request, HttpResponseStatus.OK, WRITER.getContentType(), body), false);
    }
}
