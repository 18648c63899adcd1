import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The context of every request: Hummingbird's WebSocket context plus the connection's event
/// loop, which the feed uses to wait until its last write has reached the socket.
struct ArenaRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The event loop of the request's connection.
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        eventLoop = source.channel.eventLoop
    }
}
