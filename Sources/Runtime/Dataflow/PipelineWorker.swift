import Foundation
import Operators
public import Transport
import Wire

/// Counters a worker reports on `stats`.
public struct WorkerCounters: Hashable, Sendable {
    public var events = 0
    public var haloEvents = 0
    public var results = 0
    public var badFrames = 0
    public var watermark = Int64.min
    public init() {}
}

/// One partition of one stage: receives its share of the stream, feeds the operator, and forwards
/// the operator's results and its watermark to the publisher.
///
/// Results produced while applying a batch are held until the next watermark: the publisher
/// cannot release them before that anyway, and sending them with the watermark halves the frames.
///
/// A worker of the query stage (`Wiring.query`) also keeps its own events in a `WorkerQueryIndex`
/// and polls the gateway's link beside its input, answering between frames; other workers keep
/// neither and block on their input alone.
/// - Warning: Use on one thread.
public final class PipelineWorker {
    public let stageName: String
    public let partition: Int
    public private(set) var counters = WorkerCounters()

    private var op: any StreamOperator
    private var clock: WindowClock
    private let input: FrameReceiver
    private let output: FrameSender
    private let outputInput: UInt32
    private var outputs: [OperatorOutput] = []
    private var records: [ResultRecord] = []
    private var lastStats: UInt64 = 0
    private let statsInterval: Double
    private var queryIndex: WorkerQueryIndex?
    private let queries: QueryResponder?

    public init(
        spec: PipelineSpec, stage stageIndex: Int, partition: Int, wiring: Wiring, context: MessagingContext,
        compression: Bool? = nil, statsInterval: Double = 1.0
    ) throws {
        let stage = spec.stages[stageIndex]
        stageName = stage.name
        self.partition = partition
        op = OperatorFactory.make(stage, pipeline: spec)
        clock = WindowClock(size: spec.window.size, slide: spec.window.slide)
        input = try FrameReceiver(context, bindingTo: wiring.workers[stageIndex][partition])
        output = try FrameSender(context, connectingTo: wiring.collect, compression: compression)
        outputInput = UInt32(wiring.globalIndex(stage: stageIndex, partition: partition))
        self.statsInterval = statsInterval
        if let query = wiring.query, query.stage == stage.name {
            queryIndex = try WorkerQueryIndex(window: spec.window)
            queries = try QueryResponder(context, connectingTo: query.collect, stage: stage.name, partition: partition)
        } else {
            queries = nil
        }
    }

    /// Runs until the source's `end` frame: then evaluates every remaining window, sends the
    /// results and `end` to the publisher, and returns.
    public func run() throws {
        lastStats = monotonicNanoseconds()
        var poller = Poller()
        if let queries {
            poller.add(input.socket)
            poller.add(queries.socket)
        }
        while true {
            var wait = Int32(statsInterval * 1000)
            if let queries, let queryIndex {
                // Both sockets in one zmq_poll: no spinning, and a query waits at most one frame.
                let ready = try poller.poll(timeoutMilliseconds: Int(wait))
                if ready.contains(where: { $0.index == 1 }) { try queries.answerWaiting(queryIndex) }
                guard ready.contains(where: { $0.index == 0 }) else {
                    reportStatsIfDue()
                    continue
                }
                wait = 0
            }
            let frame = try input.next(timeoutMilliseconds: wait) { [unowned self] error in
                counters.badFrames += 1
                records.append(ResultRecord(topic: "rejected", t: clock.watermark, json: badFrameJSON(error)))
            }
            reportStatsIfDue()
            guard let frame else { continue }
            switch frame.kind {
            case .data:
                apply(frame)
            case .watermark:
                guard let watermark = frame.watermark, watermark > clock.watermark else { continue }
                clock.watermark = watermark
                counters.watermark = watermark
                op.advance(clock: clock, into: &outputs)
                queryIndex?.advance(to: watermark)
                try sendResults()
                try output.send(.watermark(watermark, partition: outputInput))
            case .end:
                op.finish(clock: clock, into: &outputs)
                try sendResults()
                sendStats()
                try output.send(.end(partition: outputInput))
                return
            case .barrier:
                // Checkpoints arrive with the checkpoint issue; until then a barrier is forwarded
                // in order so the publisher sees the same sequence of markers.
                try output.send(.barrier(frame.epoch, partition: outputInput))
            }
        }
    }

    private func apply(_ frame: Frame) {
        // Halo copies travel in their own frames (header flag bit 1).
        let halo = frame.halo
        switch frame.payload {
        case let .points(events):
            if halo { counters.haloEvents += events.count } else { counters.events += events.count }
            op.apply(points: events, halo: halo, clock: clock, into: &outputs)
            if !halo { queryIndex?.insert(events) }
        case let .polygons(events):
            counters.events += events.count
            if !halo { queryIndex?.insert(events) }
            op.apply(polygons: events, halo: halo, clock: clock, into: &outputs)
        case .results, .none:
            counters.badFrames += 1
        }
    }

    private func sendResults() throws {
        guard !outputs.isEmpty || !records.isEmpty else { return }
        counters.results += outputs.count
        records.append(contentsOf: outputs)
        outputs.removeAll(keepingCapacity: true)
        // Large result sets go in several frames so no frame exceeds the decoder's record limit.
        var start = 0
        while start < records.count {
            let end = min(start + 10_000, records.count)
            try output.send(.data(.results(Array(records[start..<end])), partition: outputInput, epoch: 0))
            start = end
        }
        records.removeAll(keepingCapacity: true)
    }

    private func reportStatsIfDue() {
        let now = monotonicNanoseconds()
        guard Double(now &- lastStats) >= statsInterval * 1e9 else { return }
        lastStats = now
        sendStats()
    }

    private func sendStats() {
        var json = "{\"stage\":"
        JSONWriter.appendString(stageName, to: &json)
        json += ",\"partition\":\(partition),\"in\":\(counters.events),\"out\":\(counters.results)"
        json += ",\"halo_in\":\(counters.haloEvents),\"window\":\(op.retainedEvents),\"bad_frames\":\(counters.badFrames)"
        json += ",\"bytes_received\":\(input.bytesReceived),\"bytes_raw_out\":\(output.bytesRaw),\"bytes_compressed_out\":\(output.bytesSent)"
        json += ",\"watermark\":\(clock.watermark == .min ? "null" : String(clock.watermark))}"
        do {
            try output.send(.data(.results([ResultRecord(topic: "stats", t: clock.watermark, json: json)]), partition: outputInput, epoch: 0))
        } catch {
            // Stats are best effort; a failing publisher link surfaces on the next result send.
        }
    }

    private func badFrameJSON(_ error: FrameError) -> String {
        var json = "{\"source\":"
        JSONWriter.appendString("\(stageName)-\(partition) input", to: &json)
        json += ",\"line\":null,\"offset\":\(error.offset),\"reason\":"
        JSONWriter.appendString("bad frame: \(error.code.rawValue): \(error.message)", to: &json)
        json += ",\"raw\":\"\"}"
        return json
    }

    public func close() {
        queries?.close()
        input.close()
        output.close()
    }
}
