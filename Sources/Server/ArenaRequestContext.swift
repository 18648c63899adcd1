import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The context of every request: Hummingbird's WebSocket context plus the connection's channel,
/// which the feed writes batched frames to from the channel's own event loop, and the admin
/// identity of an authenticated admin request.
struct ArenaRequestContext: RequestContext, WebSocketRequestContext, AdminRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The request's connection.
    let channel: any Channel
    /// Who presented the admin token, on admin routes.
    var adminIdentity: AdminIdentity?

    /// Request bodies larger than this are refused (413): the API's bodies are small.
    var maxUploadSize: Int { 64 * 1024 }

    /// Bodies decode strictly: an unknown field is a 400 naming it.
    var requestDecoder: StrictRequestDecoder { StrictRequestDecoder() }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
