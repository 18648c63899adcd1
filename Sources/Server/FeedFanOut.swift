import Arena
import NIOCore
import NIOWebSocket
import Synchronization

/// Writes batched feed frames from the connections' own event loops: once per interval, one pass
/// per loop writes each connection's new frames and flushes it. No task is woken per connection,
/// and no write crosses threads, so the cost of a busy feed is the sockets' own.
final class FeedFanOut: Sendable {
    /// One connection fed by a pass.
    struct Connection: Sendable {
        let subscription: FeedSubscription
        let channel: any Channel
        /// Called once, on the loop, when the subscription has ended.
        let ended: @Sendable () -> Void
    }

    /// The connections of one event loop and its repeating pass; touched only on that loop.
    final class Loop: Sendable {
        let connections: NIOLoopBoundBox<[ObjectIdentifier: Connection]>
        let pass: NIOLoopBoundBox<RepeatedTask?>

        init(eventLoop: any EventLoop) {
            connections = .makeBoxSendingValue([:], eventLoop: eventLoop)
            pass = .makeEmptyBox(valueType: RepeatedTask.self, eventLoop: eventLoop)
        }
    }

    private let loops = Mutex<[ObjectIdentifier: Loop]>([:])
    let bus: EventBus
    let interval: TimeAmount

    init(bus: EventBus) {
        self.bus = bus
        interval = .nanoseconds(Int64(bus.batchInterval.components.seconds) * 1_000_000_000
            + bus.batchInterval.components.attoseconds / 1_000_000_000)
    }

    /// Starts feeding `subscription`'s frames to `channel`; `ended` runs when the subscription ends.
    func add(_ subscription: FeedSubscription, channel: any Channel, ended: @escaping @Sendable () -> Void) {
        let eventLoop = channel.eventLoop
        let loop = self.loop(for: eventLoop)
        eventLoop.execute {
            loop.connections.value[ObjectIdentifier(subscription)] = Connection(subscription: subscription, channel: channel, ended: ended)
            guard loop.pass.value == nil else { return }
            loop.pass.value = eventLoop.scheduleRepeatedTask(initialDelay: self.interval, delay: self.interval) { _ in
                self.runPass(loop)
            }
        }
    }

    /// Stops feeding a subscription.
    func remove(_ subscription: FeedSubscription, channel: any Channel) {
        let loop = self.loop(for: channel.eventLoop)
        channel.eventLoop.execute { loop.connections.value[ObjectIdentifier(subscription)] = nil }
    }

    private func loop(for eventLoop: any EventLoop) -> Loop {
        loops.withLock { loops in
            if let loop = loops[ObjectIdentifier(eventLoop)] { return loop }
            let loop = Loop(eventLoop: eventLoop)
            loops[ObjectIdentifier(eventLoop)] = loop
            return loop
        }
    }

    /// One pass over a loop's connections. A connection whose socket is full is skipped: it
    /// gathers more messages for the next pass, or is closed by the bus once too far behind.
    private func runPass(_ loop: Loop) {
        var finished: [ObjectIdentifier] = []
        for (key, connection) in loop.connections.value {
            let channel = connection.channel
            guard channel.isActive else {
                finished.append(key)
                continue
            }
            guard channel.isWritable else { continue }
            guard let frames = bus.takeReady(connection.subscription) else {
                finished.append(key)
                connection.ended()
                continue
            }
            guard !frames.isEmpty else { continue }
            for frame in frames {
                // Room in front of the text, so the encoder writes the frame header in place.
                var buffer = channel.allocator.buffer(capacity: Self.headerRoom + frame.utf8.count)
                buffer.moveWriterIndex(forwardBy: Self.headerRoom)
                buffer.moveReaderIndex(forwardBy: Self.headerRoom)
                buffer.writeString(frame)
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: buffer), promise: nil)
            }
            channel.flush()
        }
        for key in finished { loop.connections.value[key] = nil }
        if loop.connections.value.isEmpty {
            // An idle loop keeps no timer; the next connection starts one.
            loop.pass.value?.cancel()
            loop.pass.value = nil
        }
    }

    /// The largest WebSocket frame header a server writes (no mask).
    static let headerRoom = 10
}
