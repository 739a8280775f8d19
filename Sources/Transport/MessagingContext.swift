import CZeroMQ

/// Owns a libzmq context: the I/O threads every socket of a process shares.
///
/// Create one per process (or per test). `terminate()` blocks until every socket made from it is
/// closed, and makes blocking calls in other threads fail with `isTerminated`, which is how stage
/// threads learn to stop. `deinit` terminates if nobody did.
/// - Warning: the context is thread-safe; sockets made from it are not (see `Socket`).
public final class MessagingContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var terminated = false

    public init(ioThreads: Int = 1) throws(TransportError) {
        guard let handle = zmq_ctx_new() else { throw TransportError.last("create context") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)) != 0 {
            let error = TransportError.last("set ZMQ_IO_THREADS")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Makes every blocking call on this context's sockets return `isTerminated`, without waiting.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Waits for every socket of this context to be closed, then frees it. Idempotent.
    public func terminate() {
        guard !terminated else { return }
        terminated = true
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    deinit { terminate() }
}
