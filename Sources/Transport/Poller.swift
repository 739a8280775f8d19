import CZeroMQ

/// Waits on several sockets at once without spinning: one `zmq_poll` call blocks until a socket is
/// readable (or writable, when asked) or the timeout passes.
///
/// - Warning: the sockets must belong to the polling thread (see `Socket`).
public struct Poller {
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: Int16(ZMQ_POLLIN))
        public static let writable = Events(rawValue: Int16(ZMQ_POLLOUT))
    }

    private var sockets: [Socket] = []
    private var interests: [Events] = []

    public init() {}

    /// Adds a socket; its position is the index `poll` reports.
    @discardableResult
    public mutating func add(_ socket: Socket, for events: Events = .readable) -> Int {
        sockets.append(socket)
        interests.append(events)
        return sockets.count - 1
    }

    /// Blocks up to `timeoutMilliseconds` (-1 forever) and returns the indices of sockets that are ready,
    /// with what they are ready for. Empty on timeout. An interrupting signal returns empty too, so
    /// the caller's loop can check for shutdown.
    public func poll(timeoutMilliseconds: Int) throws(TransportError) -> [(index: Int, events: Events)] {
        var items: [zmq_pollitem_t] = []
        items.reserveCapacity(sockets.count)
        for (socket, interest) in zip(sockets, interests) {
            guard let handle = socket.rawHandle else { throw TransportError(code: ENOTSOCK, operation: "poll") }
            items.append(zmq_pollitem_t(socket: handle, fd: 0, events: interest.rawValue, revents: 0))
        }
        let count = zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
        if count < 0 {
            let error = TransportError.last("poll")
            if error.isInterrupted { return [] }
            throw error
        }
        var ready: [(index: Int, events: Events)] = []
        for (index, item) in items.enumerated() where item.revents != 0 {
            ready.append((index, Events(rawValue: item.revents)))
        }
        return ready
    }
}
