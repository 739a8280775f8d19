import CZeroMQ

/// The socket patterns geostream uses between stages.
public enum SocketKind: Sendable {
    case push, pull, publish, subscribe, extendedPublish, extendedSubscribe, request, reply, router, dealer, pair

    var zmqType: Int32 {
        switch self {
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .publish: ZMQ_PUB
        case .subscribe: ZMQ_SUB
        case .extendedPublish: ZMQ_XPUB
        case .extendedSubscribe: ZMQ_XSUB
        case .request: ZMQ_REQ
        case .reply: ZMQ_REP
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        }
    }
}

/// A libzmq socket with errors mapped to `TransportError` and options typed.
///
/// Sends and receives block by default (backpressure: a full PUSH high-water mark blocks the sender
/// rather than dropping); pass `blocking: false` to get `false`/`nil` instead of waiting, and set
/// `receiveTimeout` to bound a blocking receive. `close()` is idempotent and also runs on deinit.
/// - Warning: libzmq sockets are not thread-safe. Create, use and close a socket on one thread
///   (it may be created on one thread and handed to another before first use).
public final class Socket: @unchecked Sendable {
    public let kind: SocketKind
    private var handle: UnsafeMutableRawPointer?
    private let context: MessagingContext

    public init(_ context: MessagingContext, _ kind: SocketKind) throws(TransportError) {
        guard let handle = zmq_socket(context.handle, kind.zmqType) else {
            throw TransportError.last("create socket")
        }
        self.kind = kind
        self.handle = handle
        self.context = context
        // Never hang process exit on undelivered messages by default; callers that must flush set it.
        try setOption(ZMQ_LINGER, Int32(0), name: "ZMQ_LINGER")
    }

    deinit { close() }

    /// Closes the socket; pending outgoing messages are kept for `linger` milliseconds.
    public func close() {
        if let handle {
            zmq_close(handle)
            self.handle = nil
        }
    }

    var rawHandle: UnsafeMutableRawPointer? { handle }

    private func open(_ operation: String) throws(TransportError) -> UnsafeMutableRawPointer {
        guard let handle else { throw TransportError(code: ENOTSOCK, operation: operation) }
        return handle
    }

    // MARK: Endpoints

    /// Binds and returns the endpoint actually bound (with the OS-assigned port for `tcp://host:*`).
    @discardableResult
    public func bind(_ endpoint: Endpoint) throws(TransportError) -> Endpoint {
        let handle = try open("bind")
        let text = endpoint.description
        guard zmq_bind(handle, text) == 0 else { throw TransportError.last("bind", endpoint: text) }
        let bound = try lastEndpoint()
        return (try? Endpoint(parsing: bound)) ?? endpoint
    }

    public func connect(_ endpoint: Endpoint) throws(TransportError) {
        let handle = try open("connect")
        let text = endpoint.description
        guard zmq_connect(handle, text) == 0 else { throw TransportError.last("connect", endpoint: text) }
    }

    public func disconnect(_ endpoint: Endpoint) throws(TransportError) {
        let handle = try open("disconnect")
        let text = endpoint.description
        guard zmq_disconnect(handle, text) == 0 else { throw TransportError.last("disconnect", endpoint: text) }
    }

    public func unbind(_ endpoint: Endpoint) throws(TransportError) {
        let handle = try open("unbind")
        let text = endpoint.description
        guard zmq_unbind(handle, text) == 0 else { throw TransportError.last("unbind", endpoint: text) }
    }

    // MARK: Sending

    /// Sends one frame (copied by libzmq). Returns false only when `blocking` is false and the
    /// high-water mark is reached (or a send timeout expires).
    @discardableResult
    public func send(_ bytes: [UInt8], more: Bool = false, blocking: Bool = true) throws(TransportError) -> Bool {
        // withUnsafeBytes is rethrows (untyped), so carry the typed error out in a Result.
        try bytes.withUnsafeBytes { raw in
            Result { () throws(TransportError) -> Bool in try send(bytes: raw, more: more, blocking: blocking) }
        }.get()
    }

    /// Sends one frame copied from `bytes` (valid only for the call).
    @discardableResult
    public func send(bytes: UnsafeRawBufferPointer, more: Bool = false, blocking: Bool = true) throws(TransportError) -> Bool {
        let handle = try open("send")
        let flags = (more ? ZMQ_SNDMORE : 0) | (blocking ? 0 : ZMQ_DONTWAIT)
        let result = zmq_send(handle, bytes.baseAddress, bytes.count, flags)
        if result >= 0 { return true }
        let error = TransportError.last("send")
        if error.isTimeout { return false }
        throw error
    }

    @discardableResult
    public func send(_ text: String, more: Bool = false, blocking: Bool = true) throws(TransportError) -> Bool {
        try send(Array(text.utf8), more: more, blocking: blocking)
    }

    /// Sends every frame of a multipart message atomically (all or none are delivered).
    @discardableResult
    public func send(multipart frames: [[UInt8]], blocking: Bool = true) throws(TransportError) -> Bool {
        precondition(!frames.isEmpty, "a multipart message needs at least one frame")
        for (index, frame) in frames.enumerated() {
            // Only the first frame may fail with EAGAIN; libzmq queues the rest of a started message.
            let sent = try send(frame, more: index < frames.count - 1, blocking: index == 0 ? blocking : true)
            if !sent { return false }
        }
        return true
    }

    /// Sends `buffer` without copying: libzmq reads it from the I/O thread and releases it when done.
    @discardableResult
    public func send(taking buffer: MessageBuffer, more: Bool = false, blocking: Bool = true) throws(TransportError) -> Bool {
        let handle = try open("send")
        var frame = zmq_msg_t()
        let retained = Unmanaged.passRetained(buffer).toOpaque()
        let initialised = zmq_msg_init_data(&frame, buffer.bytes.baseAddress, buffer.bytesCount, { _, hint in
            if let hint { Unmanaged<MessageBuffer>.fromOpaque(hint).release() }
        }, retained)
        guard initialised == 0 else {
            Unmanaged<MessageBuffer>.fromOpaque(retained).release()
            throw TransportError.last("send")
        }
        let flags = (more ? ZMQ_SNDMORE : 0) | (blocking ? 0 : ZMQ_DONTWAIT)
        if zmq_msg_send(&frame, handle, flags) >= 0 { return true }
        let error = TransportError.last("send")
        zmq_msg_close(&frame)  // still ours after a failed send: releases the buffer
        if error.isTimeout { return false }
        throw error
    }

    // MARK: Receiving

    /// Receives one frame; nil when `blocking` is false and nothing is waiting, or the receive
    /// timeout expired.
    public func receive(blocking: Bool = true) throws(TransportError) -> Message? {
        let handle = try open("receive")
        let message = Message()
        if zmq_msg_recv(&message.frame, handle, blocking ? 0 : ZMQ_DONTWAIT) < 0 {
            let error = TransportError.last("receive")
            if error.isTimeout { return nil }
            throw error
        }
        message.hasMore = zmq_msg_more(&message.frame) != 0
        return message
    }

    /// Receives every frame of the next multipart message; nil as for `receive`.
    public func receiveMultipart(blocking: Bool = true) throws(TransportError) -> [Message]? {
        guard let first = try receive(blocking: blocking) else { return nil }
        var frames = [first]
        while frames[frames.count - 1].hasMore {
            // The rest of a started multipart message is already queued: a blocking read returns at once.
            guard let next = try receive(blocking: true) else {
                throw TransportError(code: EAGAIN, operation: "receive (rest of a multipart message)")
            }
            frames.append(next)
        }
        return frames
    }

    // MARK: Options

    func setOption(_ option: Int32, _ value: Int32, name: String) throws(TransportError) {
        let handle = try open("set option \(name)")
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw TransportError.last("set option \(name)")
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8], name: String) throws(TransportError) {
        let handle = try open("set option \(name)")
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw TransportError.last("set option \(name)") }
    }

    func getInt32Option(_ option: Int32, name: String) throws(TransportError) -> Int32 {
        let handle = try open("get option \(name)")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, option, &value, &size) == 0 else { throw TransportError.last("get option \(name)") }
        return value
    }

    /// The endpoint most recently bound, as libzmq reports it (with the real port).
    public func lastEndpoint() throws(TransportError) -> String {
        let handle = try open("get option ZMQ_LAST_ENDPOINT")
        var buffer = [CChar](repeating: 0, count: 1_024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw TransportError.last("get option ZMQ_LAST_ENDPOINT")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Messages queued per peer before sends block (PUSH) or drop (PUB): the backpressure knob.
    public func setSendHighWaterMark(_ messages: Int32) throws(TransportError) {
        try setOption(ZMQ_SNDHWM, messages, name: "ZMQ_SNDHWM")
    }

    public func setReceiveHighWaterMark(_ messages: Int32) throws(TransportError) {
        try setOption(ZMQ_RCVHWM, messages, name: "ZMQ_RCVHWM")
    }

    /// How long `close()` keeps trying to deliver queued messages (ms; -1 forever, 0 drop). Default 0.
    public func setLinger(milliseconds: Int32) throws(TransportError) {
        try setOption(ZMQ_LINGER, milliseconds, name: "ZMQ_LINGER")
    }

    /// Bounds a blocking receive (ms; -1 waits forever). A timed-out receive returns nil.
    public func setReceiveTimeout(milliseconds: Int32) throws(TransportError) {
        try setOption(ZMQ_RCVTIMEO, milliseconds, name: "ZMQ_RCVTIMEO")
    }

    /// Bounds a blocking send (ms; -1 waits forever). A timed-out send returns false.
    public func setSendTimeout(milliseconds: Int32) throws(TransportError) {
        try setOption(ZMQ_SNDTIMEO, milliseconds, name: "ZMQ_SNDTIMEO")
    }

    /// Queue messages only to completed connections, so a PUSH never parks data on a dead peer.
    public func setImmediate(_ on: Bool) throws(TransportError) {
        try setOption(ZMQ_IMMEDIATE, on ? 1 : 0, name: "ZMQ_IMMEDIATE")
    }

    /// SUB: receive messages whose first frame starts with `prefix` ("" for all).
    public func subscribe(_ prefix: String) throws(TransportError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8), name: "ZMQ_SUBSCRIBE")
    }

    public func unsubscribe(_ prefix: String) throws(TransportError) {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8), name: "ZMQ_UNSUBSCRIBE")
    }

    /// XPUB: deliver every subscription message, including duplicates, to the publisher.
    public func setVerboseSubscriptions(_ on: Bool) throws(TransportError) {
        try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0, name: "ZMQ_XPUB_VERBOSE")
    }

    /// ROUTER: fail with EHOSTUNREACH instead of silently dropping a message to an unknown peer.
    public func setRouterMandatory(_ on: Bool) throws(TransportError) {
        try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, name: "ZMQ_ROUTER_MANDATORY")
    }

    /// The identity a ROUTER peer sees for this socket.
    public func setRoutingID(_ id: [UInt8]) throws(TransportError) {
        try setOption(ZMQ_ROUTING_ID, bytes: id, name: "ZMQ_ROUTING_ID")
    }
}
