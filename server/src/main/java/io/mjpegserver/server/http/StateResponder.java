package io.mjpegserver.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.mjpegserver.server.observe.StateView;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Supplier;

/** {@code /state}: the source, the ring and every stream client, as JSON. */
final class StateResponder {

    /** Made at the first /state rather than at start: Jackson is some 380 classes, which would slow the launch. */
    private static final class Json {
        static final ObjectWriter WRITER = new ObjectMapper().writerWithDefaultPrettyPrinter();
    }

    private final Supplier<StateView> state;

    StateResponder(Supplier<StateView> state) {
        this.state = state;
    }

    void respond(ChannelHandlerContext ctx, HttpRequest request) {
        byte[] json;
        try {
            json = Json.WRITER.writeValueAsBytes(state.get());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write /state as JSON", e);
        }
        FullHttpResponse response = Responses.of(request, HttpResponseStatus.OK, "application/json",
                Unpooled.wrappedBuffer(json));
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        Responses.send(ctx, request, response, false);
    }
}
