package io.duet.realtime.transport;

import io.duet.api.web.Problem;
import io.duet.api.web.RequestIdFilter;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.serde.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A request whose head is past the HTTP codec's limits gets the status that says which: 431 for header fields
 * (8 KB), 414 for the request line (4 KB). Micronaut answers both 413, the status of a body too large, which sends
 * an app looking for the wrong thing. The codec has stopped reading the connection, so the answer closes it.
 */
@Singleton
class HeadLimits implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private static final String HANDLER = "duet-http-head-limits";

    private final Handler handler;

    HeadLimits(ObjectMapper json) {
        this.handler = new Handler(json);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        AfterHttpCodec.register(event.getBean(), HANDLER, () -> handler);
        return event.getBean();
    }

    /** The problem for a head the codec refused for its size; null for any other request. */
    static Problem problemOf(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Problem.of(
                    "header-fields-too-large",
                    "Request header fields too large",
                    431,
                    "The request's header fields are larger than the server accepts (8 KB in all).");
        }
        if (cause instanceof TooLongHttpLineException) {
            return Problem.of(
                    "uri-too-long", "URI too long", 414, "The request line is longer than the server accepts (4 KB).");
        }
        return null;
    }

    @ChannelHandler.Sharable
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final ObjectMapper json;

        Handler(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Problem problem = msg instanceof HttpRequest request
                    ? problemOf(request.decoderResult().cause())
                    : null;
            if (problem == null) {
                ctx.fireChannelRead(msg);
                return;
            }
            ReferenceCountUtil.release(msg);
            String requestId = UUID.randomUUID().toString();
            byte[] body;
            try {
                body = json.writeValueAsBytes(problem.withRequestId(requestId));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ByteBuf content = Unpooled.wrappedBuffer(body);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(problem.status()), content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(RequestIdFilter.HEADER, requestId);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
