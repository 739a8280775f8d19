import CZeroMQ

/// A failed libzmq call: which operation, on which endpoint, and libzmq's own reason.
///
/// The code comes from `zmq_errno()` (not the C `errno`, which libzmq does not promise to set on
/// every platform), so `isTimeout`, `isInterrupted` and `isTerminated` are reliable.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The POSIX or libzmq error number.
    public var code: Int32
    /// What we were doing: "bind", "connect", "send", "receive", "set option ZMQ_SNDHWM", ...
    public var operation: String
    /// The endpoint involved, when there is one.
    public var endpoint: String?

    public init(code: Int32, operation: String, endpoint: String? = nil) {
        self.code = code
        self.operation = operation
        self.endpoint = endpoint
    }

    /// Captures the current `zmq_errno()` for `operation`.
    static func last(_ operation: String, endpoint: String? = nil) -> TransportError {
        TransportError(code: zmq_errno(), operation: operation, endpoint: endpoint)
    }

    /// libzmq's text for the code, e.g. "Address already in use".
    public var reason: String { String(cString: zmq_strerror(code)) }

    /// A non-blocking call could not proceed, or a send/receive timeout expired.
    public var isTimeout: Bool { code == EAGAIN }
    /// A signal interrupted a blocking call; retry or shut down.
    public var isInterrupted: Bool { code == EINTR }
    /// The context was terminated: every blocking call ends with this so threads can exit.
    public var isTerminated: Bool { code == ETERM }

    public var description: String {
        if let endpoint { return "\(operation) \(endpoint) failed: \(reason) (errno \(code))" }
        return "\(operation) failed: \(reason) (errno \(code))"
    }
}
