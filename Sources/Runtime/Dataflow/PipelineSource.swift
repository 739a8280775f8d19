import Foundation
import SpatialIndex
import GeoCore
public import Transport
public import Wire

/// Tuning of the source stage; the defaults suit both throughput and latency.
public struct SourceOptions: Sendable {
    /// Events per data frame to one worker.
    public var batchSize = 1_000
    /// A partial batch is sent after this long, and the watermark with it, so a quiet stream still
    /// produces results promptly.
    public var lingerMilliseconds = 5
    public var readSize = 1 << 16
    /// LZ4 between stages: nil compresses every link but `inproc://` ones, where there is no wire
    /// to save and compressing only costs CPU.
    public var compression: Bool?
    /// Non-late events buffered before by-space partition maps are built from them (slots split
    /// where this sample is dense). Results wait for the sample, so keep it modest.
    public var sampleSize = 8_192
    /// Replay speed: event time runs this many times faster than the wall clock; nil: as fast as
    /// possible. Pacing never changes results, only when they appear.
    public var speed: Double?
    /// Name used in rejections (`stdin` or the file path).
    public var sourceName = "stdin"
    /// Seconds between `stats` reports to the publisher.
    public var statsInterval = 1.0
    /// Called on the source's thread when the watermark enters a new slide, before the flush that
    /// lets workers evaluate the windows it closed (the latency benchmark's start mark).
    public var onSlideCrossed: (@Sendable (_ watermark: Int64) -> Void)?
    /// Called with the counters every `statsInterval` on the source's thread (terminal progress).
    public var progress: (@Sendable (SourceCounters) -> Void)?

    public init() {}
}

/// What the source did, for the end-of-run summary and `stats`.
public struct SourceCounters: Hashable, Sendable {
    public var events = 0
    public var late = 0
    public var rejected = 0
    public var bytesRead = 0
    public var watermark = Int64.min
    public var maxEventTime = Int64.min
    public init() {}
}

/// The first stage: reads the input, decides lateness against the event-time watermark, routes
/// every event to one worker of every stage (by space or by id), and sends rejections and its
/// watermark to the publisher.
///
/// Lateness and routing are decided here, in input order, by one thread: that is what makes every
/// later decision (and so the results) independent of timing, worker count and process layout.
/// Before a watermark frame goes to a worker, everything routed to it is flushed, so a worker that
/// sees watermark `W` has seen every non-late event with `t < W`.
/// - Warning: Use on one thread.
public final class PipelineSource {
    public let spec: PipelineSpec
    public let options: SourceOptions
    @exclusivity(unchecked) public internal(set) var counters = SourceCounters()

    private let router: EventRouter
    private let workers: [FrameSender]
    private let publisher: FrameSender
    private let sourceInput: UInt32
    // Touched for every event by this one thread: the dynamic exclusivity checks Swift would add
    // for class properties cost more than the append itself, and cannot fail here.
    @exclusivity(unchecked) private var pendingPoints: [[PointEvent]]
    @exclusivity(unchecked) private var pendingPolygons: [[PolygonEvent]]
    @exclusivity(unchecked) private var pendingHalo: [[PointEvent]]
    private var pendingRejections: [ResultRecord] = []
    private var sample: [InputEvent] = []
    private var sampling: Bool
    var batchStarted: UInt64 = 0
    var hasPending = false
    private var sentWatermark = Int64.min
    var lastStats: UInt64 = 0
    private var paceOrigin: (eventTime: Int64, wall: UInt64)?
    var strictStop: Rejection?
    var failure: (any Error)?
    @exclusivity(unchecked) private var routed: [Int] = []
    @exclusivity(unchecked) private var nearbyDeliveries: [PointDelivery] = []
    @exclusivity(unchecked) private var nearbyResends: [PointResend] = []
    @exclusivity(unchecked) private var nearbyFlushFirst: [Int] = []

    public init(spec: PipelineSpec, wiring: Wiring, context: MessagingContext, options: SourceOptions = SourceOptions()) throws {
        self.spec = spec
        self.options = options
        router = EventRouter(spec: spec)
        workers = try wiring.workers.flatMap { stage in
            try stage.map { try FrameSender(context, connectingTo: $0, compression: options.compression) }
        }
        publisher = try FrameSender(context, connectingTo: wiring.collect, compression: options.compression)
        sourceInput = UInt32(wiring.workerCount)
        pendingPoints = Array(repeating: [], count: workers.count)
        pendingPolygons = Array(repeating: [], count: workers.count)
        pendingHalo = Array(repeating: [], count: workers.count)
        sampling = router.needsSample
    }

    /// Reads `descriptor` to its end, then ends the stream on every output. Throws on an I/O or
    /// transport failure, and `StrictRejectionError` when `input.strict` met a bad record (the
    /// events before it are still delivered and the stream is ended cleanly first).
    @discardableResult
    public func run(descriptor: Int32) throws -> SourceCounters {
        var readerOptions = ReaderOptions(source: options.sourceName)
        readerOptions.format = spec.input.format
        readerOptions.csv = CSVOptions(columns: spec.input.columns)
        var reader = EventReader(options: readerOptions)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(options.readSize, 1), alignment: 16)
        defer { buffer.deallocate() }
        let sink: (ReadItem) -> Void = { [unowned self] item in self.accept(item) }
        lastStats = monotonicNanoseconds()

        reading: while strictStop == nil && failure == nil && !StopSignal.isRequested {
            if hasPending {
                let waited = Int((monotonicNanoseconds() &- batchStarted) / 1_000_000)
                let remaining = options.lingerMilliseconds - waited
                if remaining <= 0 || !waitReadable(descriptor, milliseconds: remaining) {
                    flushAll()
                    continue reading
                }
            }
            let got = read(descriptor, buffer.baseAddress, buffer.count)
            if got < 0 {
                if errno == EINTR { continue reading }
                throw RuntimeError("cannot read \(options.sourceName): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            counters.bytesRead += got
            do {
                try reader.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), sink)
            } catch {
                try endStream()
                throw RuntimeError("\(options.sourceName): \(error)")
            }
            if hasPending && monotonicNanoseconds() &- batchStarted >= UInt64(options.lingerMilliseconds) * 1_000_000 {
                flushAll()
            }
            reportStatsIfDue()
        }
        if strictStop == nil && failure == nil {
            do {
                try reader.finish(sink)
            } catch {
                try endStream()
                throw RuntimeError("\(options.sourceName): \(error)")
            }
        }
        if let failure { throw failure }
        try endStream()
        if let strictStop { throw StrictRejectionError(rejection: strictStop, counters: counters) }
        return counters
    }

    // MARK: Accepting events

    func accept(_ item: ReadItem) {
        guard strictStop == nil, failure == nil else { return }
        switch item {
        case let .event(event):
            counters.events += 1
            if let speed = options.speed { pace(event.t, speed: speed) }
            if event.t < counters.watermark {
                counters.late += 1
                pendingRejections.append(lateRejection(event))
                markPending()
                return
            }
            advanceWatermark(eventTime: event.t)
            if sampling {
                sample.append(event)
                if sample.count >= options.sampleSize { endSampling() }
            } else {
                route(event, watermark: counters.watermark)
            }
            if watermarkCrossedSlide() {
                options.onSlideCrossed?(counters.watermark)
                flushAll()
            }
        case let .rejected(rejection):
            counters.rejected += 1
            pendingRejections.append(ResultRecord(topic: "rejected", t: counters.watermark, json: JSONWriter.render(rejection)))
            markPending()
            if spec.input.strict { strictStop = rejection }
        }
    }

    private func advanceWatermark(eventTime t: Int64) {
        guard t > counters.maxEventTime else { return }
        counters.maxEventTime = t
        let (lowered, overflow) = t.subtractingReportingOverflow(spec.window.lateness)
        counters.watermark = max(counters.watermark, overflow ? .min : lowered)
    }

    /// True when the watermark entered a new slide since it was last sent: windows are due, so
    /// everything goes out now rather than after the linger.
    private func watermarkCrossedSlide() -> Bool {
        guard !sampling, counters.watermark != sentWatermark else { return false }
        if sentWatermark == .min { return true }
        return WindowTime.floorDivide(counters.watermark, spec.window.slide) != WindowTime.floorDivide(sentWatermark, spec.window.slide)
    }

    /// `watermark`: the one the event was accepted under (events buffered for the sample are
    /// routed later, when the watermark may have moved past them).
    private func route(_ event: InputEvent, watermark: Int64) {
        switch event {
        case let .point(point):
            for stage in router.plainStages {
                appendOwned(point, to: router.worker(for: point, stage: stage))
            }
            if router.hasHalo {
                routed.removeAll(keepingCapacity: true)
                router.haloWorkers(for: point, into: &routed)
                for worker in routed { appendHalo(point, to: worker) }
            }
            if router.hasNearby { routeNearby(point, watermark: watermark) }
        case let .polygon(polygon):
            routed.removeAll(keepingCapacity: true)
            router.workers(for: polygon, into: &routed)
            for worker in routed {
                if !pendingPoints[worker].isEmpty { flush(worker) }
                pendingPolygons[worker].append(polygon)
                if pendingPolygons[worker].count >= options.batchSize { flush(worker) }
            }
        }
        markPending()
    }

    @inline(__always)
    private func appendOwned(_ point: PointEvent, to worker: Int) {
        if !pendingPolygons[worker].isEmpty { flush(worker) }
        pendingPoints[worker].append(point)
        if pendingPoints[worker].count >= options.batchSize { flush(worker) }
    }

    @inline(__always)
    private func appendHalo(_ point: PointEvent, to worker: Int) {
        pendingHalo[worker].append(point)
        if pendingHalo[worker].count >= options.batchSize { flush(worker) }
    }

    /// Nearby stages: the owner, the halo workers and the workers holding the object's preceding
    /// position (`EventRouter.nearbyDeliveries`).
    private func routeNearby(_ point: PointEvent, watermark: Int64) {
        nearbyDeliveries.removeAll(keepingCapacity: true)
        nearbyResends.removeAll(keepingCapacity: true)
        nearbyFlushFirst.removeAll(keepingCapacity: true)
        router.nearbyDeliveries(for: point, watermark: watermark, into: &nearbyDeliveries, resends: &nearbyResends,
                                flushFirst: &nearbyFlushFirst)
        for worker in nearbyFlushFirst { flush(worker) }
        for delivery in nearbyDeliveries {
            if delivery.halo { appendHalo(point, to: delivery.worker) } else { appendOwned(point, to: delivery.worker) }
        }
        for resend in nearbyResends { appendHalo(resend.event, to: resend.worker) }
    }

    private func endSampling() {
        router.buildMaps(sample: sample.compactMap { if case let .point(p) = $0 { p.point } else { nil } })
        sampling = false
        let buffered = sample
        sample = []
        // The watermark each was accepted under is gone; .min remembers every step (exact, and
        // the sample is small).
        for event in buffered { route(event, watermark: .min) }
    }

    private func markPending() {
        if !hasPending {
            hasPending = true
            batchStarted = monotonicNanoseconds()
        }
    }

    // MARK: Sending

    private func flush(_ worker: Int) {
        do {
            let partition = UInt32(router.partition(ofWorker: worker))
            if !pendingPoints[worker].isEmpty {
                try workers[worker].send(.data(.points(pendingPoints[worker]), partition: partition, epoch: 0))
                pendingPoints[worker].removeAll(keepingCapacity: true)
            }
            if !pendingPolygons[worker].isEmpty {
                try workers[worker].send(.data(.polygons(pendingPolygons[worker]), partition: partition, epoch: 0))
                pendingPolygons[worker].removeAll(keepingCapacity: true)
            }
            if !pendingHalo[worker].isEmpty {
                try workers[worker].send(.data(.points(pendingHalo[worker]), partition: partition, epoch: 0, halo: true))
                pendingHalo[worker].removeAll(keepingCapacity: true)
            }
        } catch {
            failure = error
        }
    }

    /// Sends every pending batch and rejection, then the watermark to every worker and the publisher.
    func flushAll() {
        hasPending = false
        if sampling { return }
        for worker in workers.indices { flush(worker) }
        do {
            if !pendingRejections.isEmpty {
                try publisher.send(.data(.results(pendingRejections), partition: sourceInput, epoch: 0))
                pendingRejections.removeAll(keepingCapacity: true)
            }
            if counters.watermark != sentWatermark {
                for (index, worker) in workers.enumerated() {
                    try worker.send(.watermark(counters.watermark, partition: UInt32(router.partition(ofWorker: index))))
                }
                try publisher.send(.watermark(counters.watermark, partition: sourceInput))
                sentWatermark = counters.watermark
            }
        } catch {
            failure = error
        }
    }

    func endStream() throws {
        if sampling { endSampling() }
        flushAll()
        if let failure { throw failure }
        sendStats()
        for (index, worker) in workers.enumerated() {
            try worker.send(.end(partition: UInt32(router.partition(ofWorker: index))))
        }
        try publisher.send(.end(partition: sourceInput))
    }

    // MARK: Pacing, lateness, stats

    /// Sleeps until the wall clock reaches the event's place in a replay at `speed`, flushing
    /// first so results of the past do not wait behind the sleep.
    private func pace(_ t: Int64, speed: Double) {
        let now = monotonicNanoseconds()
        guard let origin = paceOrigin else {
            paceOrigin = (t, now)
            return
        }
        let offset = Double(t - origin.eventTime) / speed * 1_000_000
        guard offset > 0 else { return }
        let target = origin.wall &+ UInt64(offset)
        guard target > now &+ 1_000_000 else { return }
        flushAll()
        var remaining = target - now
        while remaining > 0 {
            var request = timespec(tv_sec: Int(remaining / 1_000_000_000), tv_nsec: Int(remaining % 1_000_000_000))
            if nanosleep(&request, nil) == 0 { break }
            let current = monotonicNanoseconds()
            remaining = target > current ? target - current : 0
        }
        reportStatsIfDue()
    }

    private func lateRejection(_ event: InputEvent) -> ResultRecord {
        let raw: String
        switch event {
        case let .point(point): raw = JSONWriter.render(point)
        case let .polygon(polygon): raw = JSONWriter.render(polygon)
        }
        var json = "{\"source\":"
        JSONWriter.appendString(options.sourceName, to: &json)
        json += ",\"line\":null,\"offset\":null,\"reason\":\"late\",\"raw\":"
        JSONWriter.appendString(String(decoding: raw.utf8.prefix(200), as: UTF8.self), to: &json)
        json += ",\"event_t\":\(event.t),\"watermark\":\(counters.watermark)}"
        return ResultRecord(topic: "rejected", t: counters.watermark, json: json)
    }

    func reportStatsIfDue() {
        let now = monotonicNanoseconds()
        guard Double(now &- lastStats) >= options.statsInterval * 1e9 else { return }
        lastStats = now
        sendStats()
        options.progress?(counters)
    }

    private func sendStats() {
        var json = "{\"stage\":\"source\",\"in\":\(counters.events),\"late\":\(counters.late),\"rejected\":\(counters.rejected)"
        json += ",\"bytes_read\":\(counters.bytesRead)"
        json += ",\"bytes_raw\":\(workers.reduce(0) { $0 + $1.bytesRaw }),\"bytes_compressed\":\(workers.reduce(0) { $0 + $1.bytesSent })"
        json += ",\"watermark\":\(counters.watermark == .min ? "null" : String(counters.watermark))}"
        do {
            try publisher.send(.data(.results([ResultRecord(topic: "stats", t: counters.watermark, json: json)]), partition: sourceInput, epoch: 0))
        } catch {
            failure = error
        }
    }

    public func close() {
        for worker in workers { worker.close() }
        publisher.close()
    }
}

/// `input.strict` met a bad record; the CLI exits 65 with this message.
public struct StrictRejectionError: Error, CustomStringConvertible {
    public var rejection: Rejection
    public var counters: SourceCounters
    public var description: String { "rejected (input.strict): \(rejection)" }
}
