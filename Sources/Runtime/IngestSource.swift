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
    public private(set) var counters = IngestCounters()
    private let socket: Socket?
    private let frameFile: FrameFileWriter?
    private let rejections: (Rejection) -> Void
    private let progress: ((IngestCounters) -> Void)?
    private let progressIntervalNanoseconds: UInt64

    private var encoder: FrameEncoder
    private var encoded: [UInt8] = []
    private var pendingPoints: [PointEvent] = []
    private var pendingPolygons: [PolygonEvent] = []
    private var batchStarted: UInt64 = 0
    private var runStarted: UInt64 = 0
    private var lastProgress: UInt64 = 0
    /// A failure met inside the reader's (non-throwing) sink; the run stops at the next check.
    private var stopReason: IngestError?

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
        self.encoder = FrameEncoder(compression: options.compression)
        pendingPoints.reserveCapacity(options.batchSize)
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
        runStarted = monotonicNanoseconds()
        lastProgress = runStarted
        var reader = EventReader(options: options.reader)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(options.readSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        let sink: (ReadItem) -> Void = { [unowned self] item in self.accept(item) }

        reading: while stopReason == nil {
            if hasPendingBatch {
                let waited = Int((monotonicNanoseconds() &- batchStarted) / 1_000_000)
                let remaining = options.lingerMilliseconds - waited
                if remaining <= 0 || !waitReadable(descriptor, milliseconds: remaining) {
                    closeBatch()
                    continue reading
                }
            }
            let got = read(descriptor, buffer.baseAddress, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                return try fail(.io, "cannot read input: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            counters.bytesRead += got
            do {
                try reader.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), sink)
            } catch {
                return try fail(.badInput, "\(options.reader.source): \(error)")
            }
            if hasPendingBatch && monotonicNanoseconds() &- batchStarted >= UInt64(options.lingerMilliseconds) * 1_000_000 {
                closeBatch()
            }
            reportProgressIfDue()
        }
        if stopReason == nil {
            do {
                try reader.finish(sink)
            } catch {
                return try fail(.badInput, "\(options.reader.source): \(error)")
            }
        }
        if hasPendingBatch { closeBatch() }
        let stopped = stopReason
        if stopped == nil || stopped?.code == .strictRejection {
            send(Frame.end(partition: options.partition))
        }
        counters.elapsedSeconds = Double(monotonicNanoseconds() &- runStarted) / 1e9
        if let error = stopReason {
            throw IngestError(error.code, error.message, counters: counters)
        }
        return counters
    }

    private var hasPendingBatch: Bool { !pendingPoints.isEmpty || !pendingPolygons.isEmpty }

    private func accept(_ item: ReadItem) {
        guard stopReason == nil else { return }
        switch item {
        case let .event(.point(event)):
            if !pendingPolygons.isEmpty { closeBatch() }
            if !hasPendingBatch { batchStarted = monotonicNanoseconds() }
            pendingPoints.append(event)
            counters.events += 1
            counters.points += 1
            if pendingPoints.count >= options.batchSize { closeBatch() }
        case let .event(.polygon(event)):
            if !pendingPoints.isEmpty { closeBatch() }
            if !hasPendingBatch { batchStarted = monotonicNanoseconds() }
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

    private func closeBatch() {
        if !pendingPoints.isEmpty {
            send(Frame.data(.points(pendingPoints), partition: options.partition, epoch: 0))
            pendingPoints.removeAll(keepingCapacity: true)
        }
        if !pendingPolygons.isEmpty {
            send(Frame.data(.polygons(pendingPolygons), partition: options.partition, epoch: 0))
            pendingPolygons.removeAll(keepingCapacity: true)
        }
    }

    private func send(_ frame: Frame) {
        guard stopReason == nil || stopReason?.code == .strictRejection else { return }
        do {
            try encoder.encode(frame, into: &encoded)
        } catch {
            stopReason = IngestError(.badInput, "cannot encode a frame: \(error)", counters: counters)
            return
        }
        do {
            if let frameFile { try encoded.withUnsafeBytes { raw in try Result { () throws(FrameFileError) in try frameFile.append(raw) }.get() } }
            if let socket { try socket.send(taking: MessageBuffer(copying: encoded)) }
        } catch {
            stopReason = IngestError(.io, "cannot send frame \(counters.frames): \(error)", counters: counters)
            return
        }
        counters.frames += 1
        counters.bytesSent += encoded.count
        let rawLength = encoded.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self)) }
        counters.bytesRaw += FrameHeader.size + Int(rawLength)
    }

    private func fail(_ code: IngestError.Code, _ message: String) throws(IngestError) -> IngestCounters {
        // Deliver what was read before the failure; no end frame: the stream did not end cleanly.
        if hasPendingBatch { closeBatch() }
        counters.elapsedSeconds = Double(monotonicNanoseconds() &- runStarted) / 1e9
        throw IngestError(code, message, counters: counters)
    }

    private func reportProgressIfDue() {
        guard let progress else { return }
        let now = monotonicNanoseconds()
        guard now &- lastProgress >= progressIntervalNanoseconds else { return }
        lastProgress = now
        var snapshot = counters
        snapshot.elapsedSeconds = Double(now &- runStarted) / 1e9
        progress(snapshot)
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
