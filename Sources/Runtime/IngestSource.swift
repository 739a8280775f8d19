import Foundation
public import Transport
public import Wire

/// The source stage for one input: reads a descriptor, parses events, batches them into frames and
/// PUSHes the frames (and/or appends them to a frame file), then sends an `end` frame.
///
/// A batch closes when it holds `batchSize` events, when `lingerMilliseconds` have passed since its
/// first event (checked between reads, and while waiting for input with poll(2), so a pipe that goes
/// quiet still delivers a partial batch), or when the event kind changes: points and polygons go in
/// separate frames, and closing on a change keeps the frames in input order.
///
/// Sends block when the peer's high-water mark is reached (backpressure, never a drop); with no peer
/// connected a send blocks until one connects. Rejections go to `rejections` as they are read.
/// - Warning: Not thread-safe. Use it, and the socket given to it, on one thread.
public final class IngestSource {
    public let options: IngestOptions
    /// The counters so far (final once `run` returns or throws).
    public private(set) var counters = IngestCounters()
    private let socket: Socket?
    private let frameFile: FrameFileWriter?
    private let rejections: (Rejection) -> Void
    private let progress: ((IngestCounters) -> Void)?
    private let progressIntervalNanoseconds: UInt64

    /// - Parameters:
    ///   - socket: a connected PUSH socket (see `pushSocket`), or nil to only write `frameFile`.
    ///   - frameFile: also (or only) append every frame here.
    ///   - rejections: called once per rejected record, in input order.
    ///   - progress: called at most every `progressInterval` seconds while the run goes on.
    public init(
        options: IngestOptions,
        socket: Socket?,
        frameFile: FrameFileWriter? = nil,
        rejections: @escaping (Rejection) -> Void,
        progressInterval: Double = 0.5,
        progress: ((IngestCounters) -> Void)? = nil
    ) {
        self.options = options
        self.socket = socket
        self.frameFile = frameFile
        self.rejections = rejections
        self.progress = progress
        self.progressIntervalNanoseconds = UInt64(progressInterval * 1e9)
    }

    /// A PUSH socket connected to `endpoint`, set to keep unsent frames for `lingerMilliseconds`
    /// after close (30 s by default), so a run that ends right after its last send still delivers it.
    public static func pushSocket(
        _ context: MessagingContext,
        connectingTo endpoint: Endpoint,
        lingerMilliseconds: Int32 = 30_000
    ) throws(TransportError) -> Socket {
        let socket = try Socket(context, .push)
        try socket.setLinger(milliseconds: lingerMilliseconds)
        try socket.connect(endpoint)
        return socket
    }

    /// Reads `descriptor` to its end and sends everything; returns the final counters.
    ///
    /// The descriptor is not closed. On `strictRejection` the events read before the rejected record
    /// are still sent, followed by the `end` frame, before the error is thrown.
    @discardableResult
    public func run(descriptor: Int32) throws(IngestError) -> IngestCounters {
        let runStarted = monotonicNanoseconds()
        var lastProgress = runStarted
        // The per-event state lives in a local struct, not in this class: every mutation of a class's
        // stored property from the reader's callback pays a dynamic exclusivity check (~300
        // instructions an event, measured), a local captured by a non-escaping closure none.
        var batcher = IngestBatcher(options: options, socket: socket, frameFile: frameFile, rejections: rejections)
        var reader = EventReader(options: options.reader)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(options.readSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        let lingerNanoseconds = UInt64(max(options.lingerMilliseconds, 0)) * 1_000_000

        func fail(_ code: IngestError.Code, _ message: String) -> IngestError {
            // Deliver what was read before the failure; no end frame: the stream did not end cleanly.
            batcher.closeBatch()
            batcher.counters.elapsedSeconds = Double(monotonicNanoseconds() &- runStarted) / 1e9
            counters = batcher.counters
            return IngestError(code, message, counters: batcher.counters)
        }

        reading: while batcher.stopReason == nil {
            if batcher.hasPendingBatch {
                let waited = Int((monotonicNanoseconds() &- batcher.batchStarted) / 1_000_000)
                let remaining = options.lingerMilliseconds - waited
                if remaining <= 0 || !waitReadable(descriptor, milliseconds: remaining) {
                    batcher.closeBatch()
                    continue reading
                }
            }
            let got = read(descriptor, buffer.baseAddress, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw fail(.io, "cannot read input: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            batcher.counters.bytesRead += got
            do {
                try reader.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<got])) { item in batcher.accept(item) }
            } catch {
                throw fail(.badInput, "\(options.reader.source): \(error)")
            }
            let now = monotonicNanoseconds()
            if batcher.hasPendingBatch && now &- batcher.batchStarted >= lingerNanoseconds {
                batcher.closeBatch()
            }
            if let progress, now &- lastProgress >= progressIntervalNanoseconds {
                lastProgress = now
                var snapshot = batcher.counters
                snapshot.elapsedSeconds = Double(now &- runStarted) / 1e9
                counters = snapshot
                progress(snapshot)
            }
        }
        if batcher.stopReason == nil {
            do {
                try reader.finish { item in batcher.accept(item) }
            } catch {
                throw fail(.badInput, "\(options.reader.source): \(error)")
            }
        }
        batcher.closeBatch()
        let stopped = batcher.stopReason
        if stopped == nil || stopped?.code == .strictRejection {
            batcher.send(Frame.end(partition: options.partition))
        }
        batcher.counters.elapsedSeconds = Double(monotonicNanoseconds() &- runStarted) / 1e9
        counters = batcher.counters
        if let error = batcher.stopReason {
            throw IngestError(error.code, error.message, counters: batcher.counters)
        }
        return batcher.counters
    }
}

/// One run's batching: collects events into the pending batch, closes it on size or a change of
/// event kind, encodes and sends frames, and counts.
private struct IngestBatcher {
    let options: IngestOptions
    let socket: Socket?
    let frameFile: FrameFileWriter?
    let rejections: (Rejection) -> Void
    var counters = IngestCounters()
    /// A failure met inside the reader's (non-throwing) sink; the run stops at the next check.
    var stopReason: IngestError?
    /// Monotonic time the pending batch's first event arrived.
    var batchStarted: UInt64 = 0
    private var encoder: FrameEncoder
    private var encoded: [UInt8] = []
    private var pendingPoints: [PointEvent] = []
    private var pendingPolygons: [PolygonEvent] = []

    init(options: IngestOptions, socket: Socket?, frameFile: FrameFileWriter?, rejections: @escaping (Rejection) -> Void) {
        self.options = options
        self.socket = socket
        self.frameFile = frameFile
        self.rejections = rejections
        self.encoder = FrameEncoder(compression: options.compression)
        pendingPoints.reserveCapacity(options.batchSize)
    }

    var hasPendingBatch: Bool { !pendingPoints.isEmpty || !pendingPolygons.isEmpty }

    mutating func accept(_ item: ReadItem) {
        guard stopReason == nil else { return }
        switch item {
        case let .event(.point(event)):
            if !pendingPolygons.isEmpty { closeBatch() }
            if pendingPoints.isEmpty { batchStarted = monotonicNanoseconds() }
            pendingPoints.append(event)
            counters.events += 1
            counters.points += 1
            if pendingPoints.count >= options.batchSize { closeBatch() }
        case let .event(.polygon(event)):
            if !pendingPoints.isEmpty { closeBatch() }
            if pendingPolygons.isEmpty { batchStarted = monotonicNanoseconds() }
            pendingPolygons.append(event)
            counters.events += 1
            counters.polygons += 1
            if pendingPolygons.count >= options.batchSize { closeBatch() }
        case let .rejected(rejection):
            counters.rejected += 1
            rejections(rejection)
            if options.strict {
                stopReason = IngestError(.strictRejection, "rejected (--strict): \(rejection)", counters: counters)
            }
        }
    }

    /// Sends the pending events (if any) as one frame.
    mutating func closeBatch() {
        if !pendingPoints.isEmpty {
            send(Frame.data(.points(pendingPoints), partition: options.partition, epoch: 0))
            pendingPoints.removeAll(keepingCapacity: true)
        }
        if !pendingPolygons.isEmpty {
            send(Frame.data(.polygons(pendingPolygons), partition: options.partition, epoch: 0))
            pendingPolygons.removeAll(keepingCapacity: true)
        }
    }

    mutating func send(_ frame: Frame) {
        guard stopReason == nil || stopReason?.code == .strictRejection else { return }
        do {
            try encoder.encode(frame, into: &encoded)
        } catch {
            stopReason = IngestError(.badInput, "cannot encode a frame: \(error)", counters: counters)
            return
        }
        let failure: String? = encoded.withUnsafeBytes { bytes in
            do {
                if let frameFile { try frameFile.append(bytes) }
                if let socket {
                    // One memcpy into a buffer libzmq then owns (not a byte-by-byte generic copy).
                    let message = MessageBuffer(count: bytes.count)
                    message.bytes.copyMemory(from: bytes)
                    try socket.send(taking: message)
                }
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure {
            stopReason = IngestError(.io, "cannot send frame \(counters.frames): \(failure)", counters: counters)
            return
        }
        counters.frames += 1
        counters.bytesSent += encoded.count
        let rawLength = encoded.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) }
        counters.bytesRaw += FrameHeader.size + Int(rawLength)
    }
}

/// poll(2) for input; true when readable (or at end / in error: read will say), false on timeout.
func waitReadable(_ descriptor: Int32, milliseconds: Int) -> Bool {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    while true {
        let result = poll(&entry, 1, Int32(clamping: milliseconds))
        if result < 0 && errno == EINTR { continue }
        return result != 0
    }
}

/// Nanoseconds from a monotonic clock (not the wall clock: immune to clock changes).
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
