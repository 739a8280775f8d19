import CZeroMQ

/// One received frame, owning libzmq's buffer so large payloads are read in place, not copied.
///
/// Read it with `withUnsafeBytes` (zero-copy) or `bytes` (a copy). `hasMore` tells whether another
/// frame of the same multipart message follows.
public final class Message: @unchecked Sendable {
    var frame = zmq_msg_t()
    public internal(set) var hasMore = false

    init() {
        zmq_msg_init(&frame)
    }

    deinit { zmq_msg_close(&frame) }

    public var count: Int { zmq_msg_size(&frame) }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let size = zmq_msg_size(&frame)
        return try body(UnsafeRawBufferPointer(start: size == 0 ? nil : zmq_msg_data(&frame), count: size))
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The frame as UTF-8 text (invalid sequences become U+FFFD).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
}

/// A buffer handed to libzmq without copying: the socket keeps it alive until the I/O thread has
/// sent it, then releases it.
///
/// Fill it (an encoder writes its frame straight into `bytes`) and pass it to `Socket.send(taking:)`.
/// Do not write to it after sending.
public final class MessageBuffer: @unchecked Sendable {
    public let bytes: UnsafeMutableRawBufferPointer

    public init(count: Int) {
        // At least one byte, so the pointer handed to libzmq is never nil even for an empty frame.
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(count, 1), alignment: 16)
        bytesCount = count
    }

    public convenience init(copying source: some Collection<UInt8>) {
        self.init(count: source.count)
        _ = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<source.count]).initializeMemory(as: UInt8.self, from: source)
    }

    /// How many bytes of `bytes` are the message (may be less than the allocation).
    public var bytesCount: Int

    deinit { bytes.deallocate() }
}
