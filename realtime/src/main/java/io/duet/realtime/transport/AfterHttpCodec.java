package io.duet.realtime.transport;

import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;

/**
 * Puts a handler right after the HTTP codec of every HTTP/1 connection on Micronaut's port, ahead of
 * Micronaut's own request handling: how the realtime transports serve their paths with Netty directly
 * and pass every other request on. Follows the server's channels down (listener, then each connection).
 */
final class AfterHttpCodec implements NettyServerCustomizer {
    private final String name;
    private final Supplier<ChannelHandler> handler;
    private final Channel channel;

    private AfterHttpCodec(String name, Supplier<ChannelHandler> handler, Channel channel) {
        this.name = name;
        this.handler = handler;
        this.channel = channel;
    }

    /** {@code handler} gives the handler for one connection (a sharable one may be given every time). */
    static void register(NettyServerCustomizer.Registry registry, String name, Supplier<ChannelHandler> handler) {
        registry.register(new AfterHttpCodec(name, handler, null));
    }

    @Override
    public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
        return new AfterHttpCodec(name, handler, channel);
    }

    @Override
    public void onStreamPipelineBuilt() {
        ChannelPipeline pipeline = channel.pipeline();
        // HTTP/1 only: an HTTP/2 stream has no HttpServerCodec (and no WebSocket upgrade); Micronaut serves it alone.
        if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) instanceof HttpServerCodec
                && pipeline.get(name) == null) {
            pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, name, handler.get());
        }
    }
}
