import Foundation
public import Transport
public import Wire

/// A PUSH socket that speaks frames: encodes, compresses and sends, counting bytes both ways so
/// `stats` can report raw against compressed.
///
/// Sends block at the peer's high-water mark: backpressure, never a drop.
/// - Warning: Use on one thread, like the socket it owns.
public final class FrameSender {
    public let socket: Socket
    public let endpoint: String
    private var encoder: FrameEncoder
    private var encoded: [UInt8] = []
    public private(set) var framesSent = 0
    public private(set) var bytesRaw = 0
    public private(set) var bytesSent = 0

    /// Connects a PUSH socket to `endpoint`; unsent frames are kept `lingerMilliseconds` after close.
    /// - Parameter compression: LZ4 the payloads; nil: yes except over `inproc://`.
    public init(_ context: MessagingContext, connectingTo endpoint: String, compression: Bool? = nil, lingerMilliseconds: Int32 = 30_000) throws {
        let parsed = try Endpoint.parse(endpoint, role: "peer")
        socket = try Socket(context, .push)
        try socket.setLinger(milliseconds: lingerMilliseconds)
        try socket.setSendHighWaterMark(1_000)
        try socket.connect(parsed)
        self.endpoint = endpoint
        encoder = FrameEncoder(compression: compression ?? !endpoint.hasPrefix("inproc://"))
    }

    public func send(_ frame: Frame) throws {
        do {
            try encoder.encode(frame, into: &encoded)
        } catch {
            throw RuntimeError("cannot encode a frame for \(endpoint): \(error)")
        }
        do {
            // libzmq copies the bytes with one memcpy; cheaper than a buffer per frame.
            _ = try encoded.withUnsafeBytes { raw in try Result { () throws(TransportError) in try socket.send(bytes: raw) }.get() }
        } catch {
            throw RuntimeError("cannot send a frame to \(endpoint): \(error)")
        }
        framesSent += 1
        bytesSent += encoded.count
        let rawLength = encoded.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) }
        bytesRaw += FrameHeader.size + Int(rawLength)
    }

    public func close() { socket.close() }
}

/// A bound PULL socket that yields decoded frames; a frame that fails to decode is counted and
/// reported to `onBadFrame`, never trusted and never fatal.
public final class FrameReceiver {
    public let socket: Socket
    public let endpoint: String
    private let decoder: FrameDecoder
    private var timeout: Int32 = -1
    public private(set) var framesReceived = 0
    public private(set) var badFrames = 0
    public private(set) var bytesReceived = 0

    public init(_ context: MessagingContext, bindingTo endpoint: String, limits: FrameLimits = FrameLimits()) throws {
        let parsed = try Endpoint.parse(endpoint, role: "listen")
        socket = try Socket(context, .pull)
        try socket.setReceiveHighWaterMark(1_000)
        try socket.setLinger(milliseconds: 0)
        do {
            _ = try socket.bind(parsed)
        } catch {
            throw RuntimeError("cannot listen on \(endpoint): \(error)")
        }
        self.endpoint = endpoint
        decoder = FrameDecoder(limits: limits)
    }

    /// The next frame, waiting at most `timeoutMilliseconds` (nil: forever); nil on timeout.
    public func next(timeoutMilliseconds: Int32? = nil, onBadFrame: (FrameError) -> Void) throws -> Frame? {
        let wanted = timeoutMilliseconds ?? -1
        if wanted != timeout {
            try socket.setReceiveTimeout(milliseconds: wanted)
            timeout = wanted
        }
        while true {
            guard let message = try socket.receive() else { return nil }
            bytesReceived += message.count
            do {
                let frame = try message.withUnsafeBytes { raw in try Result { () throws(FrameError) in try decoder.decode(raw) }.get() }
                framesReceived += 1
                return frame
            } catch let error as FrameError {
                badFrames += 1
                onBadFrame(error)
            }
        }
    }

    public func close() { socket.close() }
}
