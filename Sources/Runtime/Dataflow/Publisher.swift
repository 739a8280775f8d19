import Foundation
import Operators
public import Transport
import Wire

/// What the publisher did, for the end-of-run summary.
public struct PublisherCounters: Hashable, Sendable {
    /// Results published (every topic but `stats`).
    public var published = 0
    public var byTopic: [String: Int] = [:]
    public var statsMessages = 0
    public var badFrames = 0
    public var subscribers = 0
    /// The XPUB endpoint as bound (a `*` port resolved), for the summary.
    public var endpoint = ""
    public init() {}
}

/// The last stage: merges results from every worker and the source, releases them in a
/// deterministic order, numbers them and publishes them on XPUB (and to `--out`).
///
/// **Release rule.** Every input (each worker, and the source for `rejected`) sends its watermark
/// after the results it covers. A result with release time `t` is published once every input's
/// watermark is above `t` (or the input ended), in `(t, stage, order)` order: the source's
/// rejections in input order first, then stages in pipeline order, each stage's results passed
/// through its operator's `combine` (a heatmap cell split over workers becomes one) and otherwise
/// ordered by their JSON text. Output, `seq` included, is thus identical for any worker count,
/// batching, thread timing or process layout.
///
/// `stats` are not ordered: they are published every `statsInterval` seconds of wall time and
/// carry `seq` of the last result published (they are not results and do not consume a `seq`).
/// - Warning: Use on one thread.
public final class Publisher {
    public let spec: PipelineSpec
    public private(set) var counters = PublisherCounters()

    private let collect: FrameReceiver
    private let xpub: Socket
    private let out: UnsafeMutablePointer<FILE>?
    private let combiners: [any StreamOperator]
    /// Stage index of each input; -1 for the source.
    private let stageOfInput: [Int]
    private var watermarks: [Int64]
    private var ended: [Bool]
    private var pending: [(input: Int, record: ResultRecord)] = []
    private var released = Int64.min
    private var seq: UInt64 = 0
    private let epoch: UInt64 = 0
    private var stageStats: [Int: String] = [:]
    private var lastStats: UInt64 = 0
    private let statsInterval: Double
    private let started = monotonicNanoseconds()
    /// Called after each message is published (tests and the latency benchmark).
    public var onPublish: ((_ topic: String, _ t: Int64, _ json: String) -> Void)?

    /// - Parameter outPath: also append every result (all topics but `stats`) to this NDJSON file.
    public init(spec: PipelineSpec, wiring: Wiring, context: MessagingContext, outPath: String? = nil, statsInterval: Double = 1.0) throws {
        self.spec = spec
        self.statsInterval = statsInterval
        collect = try FrameReceiver(context, bindingTo: wiring.collect)
        xpub = try Socket(context, .extendedPublish)
        try xpub.setLinger(milliseconds: 2_000)
        try xpub.setSendHighWaterMark(100_000)
        do {
            counters.endpoint = try xpub.bind(try Endpoint.parse(wiring.publish, role: "output")).description
        } catch {
            collect.close()
            xpub.close()
            throw RuntimeError("cannot publish on \(wiring.publish) (output.endpoint): \(error); is another pipeline running there? Choose another port with --publish or output.endpoint")
        }
        if let outPath {
            guard let file = fopen(outPath, "w") else {
                collect.close()
                xpub.close()
                throw RuntimeError("cannot write --out \(outPath): \(String(cString: strerror(errno)))")
            }
            setvbuf(file, nil, _IOFBF, 1 << 16)
            out = file
        } else {
            out = nil
        }
        combiners = spec.stages.map { OperatorFactory.make($0, pipeline: spec) }
        var stageOfInput: [Int] = []
        for (index, stage) in wiring.workers.enumerated() { stageOfInput += Array(repeating: index, count: stage.count) }
        stageOfInput.append(-1)
        self.stageOfInput = stageOfInput
        watermarks = Array(repeating: .min, count: stageOfInput.count)
        ended = Array(repeating: false, count: stageOfInput.count)
    }

    /// Runs until every input has ended, then publishes the rest and a final `stats`.
    public func run() throws {
        lastStats = monotonicNanoseconds()
        while ended.contains(false) {
            drainSubscriptions()
            let frame = try collect.next(timeoutMilliseconds: 100) { [unowned self] _ in counters.badFrames += 1 }
            reportStatsIfDue()
            guard let frame else { continue }
            let input = Int(frame.partition)
            guard input < stageOfInput.count else {
                counters.badFrames += 1
                continue
            }
            switch frame.kind {
            case .data:
                guard case let .results(records) = frame.payload else {
                    counters.badFrames += 1
                    continue
                }
                for record in records {
                    if record.topic == "stats" {
                        stageStats[input] = record.json
                    } else {
                        pending.append((input, record))
                    }
                }
            case .watermark:
                if let watermark = frame.watermark, watermark > watermarks[input] {
                    watermarks[input] = watermark
                    try releaseDue()
                }
            case .end:
                ended[input] = true
                try releaseDue()
            case .barrier:
                break
            }
        }
        try release(upTo: .max, inclusive: true)
        publishStats()
        if let out { fflush(out) }
    }

    private func releaseDue() throws {
        var low = Int64.max
        for index in watermarks.indices where !ended[index] { low = min(low, watermarks[index]) }
        if low == .max {
            try release(upTo: .max, inclusive: true)
        } else if low > released {
            try release(upTo: low, inclusive: false)
        }
    }

    private func release(upTo limit: Int64, inclusive: Bool) throws {
        released = max(released, limit)
        var due: [(input: Int, record: ResultRecord)] = []
        var kept: [(input: Int, record: ResultRecord)] = []
        for item in pending {
            if item.record.t < limit || (inclusive && item.record.t == limit) { due.append(item) } else { kept.append(item) }
        }
        pending = kept
        guard !due.isEmpty else { return }

        // Source rejections keep their (deterministic) input order; stage results are grouped per
        // stage, ordered by text, and combined.
        var ordered: [(stage: Int, output: OperatorOutput)] = due.filter { stageOfInput[$0.input] < 0 }
            .map { (-1, OperatorOutput(topic: $0.record.topic, t: $0.record.t, json: $0.record.json)) }
        for stage in spec.stages.indices {
            var partials = due.filter { stageOfInput[$0.input] == stage }
                .map { OperatorOutput(topic: $0.record.topic, t: $0.record.t, json: $0.record.json) }
            guard !partials.isEmpty else { continue }
            partials.sort { ($0.t, $0.topic, $0.json) < ($1.t, $1.topic, $1.json) }
            let rejected = partials.filter { $0.topic == "rejected" }
            let combined = combiners[stage].combine(partials.filter { $0.topic != "rejected" })
            ordered += (rejected + combined).map { (stage, $0) }
        }
        // Stable: equal (t, stage) keep the order built above.
        let sorted = ordered.enumerated().sorted { left, right in
            (left.element.output.t, left.element.stage, left.offset) < (right.element.output.t, right.element.stage, right.offset)
        }
        for (_, item) in sorted { try publish(item.output, stage: item.stage) }
    }

    private func publish(_ output: OperatorOutput, stage: Int) throws {
        seq += 1
        var json = "{\"topic\":"
        JSONWriter.appendString(output.topic, to: &json)
        json += ",\"epoch\":\(epoch),\"seq\":\(seq),\"t\":"
        json += output.t == .min || output.t == .max ? "null" : String(output.t)
        json += ",\"stage\":"
        JSONWriter.appendString(stage < 0 ? "source" : spec.stages[stage].name, to: &json)
        let body = output.json.utf8.dropFirst()
        if body.first != UInt8(ascii: "}") { json += "," }
        json += String(decoding: body, as: UTF8.self)
        try send(topic: output.topic, json: json)
        counters.published += 1
        counters.byTopic[output.topic, default: 0] += 1
        if let out {
            json.withCString { pointer in
                _ = fputs(pointer, out)
                _ = fputc(0x0A, out)
            }
        }
        onPublish?(output.topic, output.t, json)
    }

    private func send(topic: String, json: String) throws {
        do {
            try xpub.send(topic, more: true)
            try xpub.send(json)
        } catch {
            throw RuntimeError("cannot publish on \(spec.output.endpoint): \(error)")
        }
    }

    /// XPUB hands us subscribe/unsubscribe messages; read them so they never queue up, and count
    /// subscribers for `stats`.
    private func drainSubscriptions() {
        while let message = try? xpub.receive(blocking: false) {
            let bytes = message.bytes
            if bytes.first == 1 { counters.subscribers += 1 } else if bytes.first == 0 { counters.subscribers = max(0, counters.subscribers - 1) }
        }
    }

    private func reportStatsIfDue() {
        let now = monotonicNanoseconds()
        guard Double(now &- lastStats) >= statsInterval * 1e9 else { return }
        lastStats = now
        publishStats()
    }

    /// One `stats` message: the latest report of every stage partition, and the publisher's own.
    private func publishStats() {
        let sourceWatermark = watermarks.last ?? .min
        var json = "{\"topic\":\"stats\",\"epoch\":\(epoch),\"seq\":\(seq),\"t\":"
        json += released == .min || released == .max ? "null" : String(released)
        json += ",\"uptime_s\":" + String(format: "%.3f", Double(monotonicNanoseconds() &- started) / 1e9)
        json += ",\"stages\":["
        var first = true
        for input in stageStats.keys.sorted() {
            guard let report = stageStats[input] else { continue }
            if !first { json += "," }
            first = false
            json += String(report.dropLast())
            if input < watermarks.count - 1, sourceWatermark != .min, watermarks[input] != .min {
                json += ",\"lag_ms\":\(sourceWatermark - watermarks[input])"
            }
            json += "}"
        }
        json += "],\"publisher\":{\"published\":\(counters.published),\"pending\":\(pending.count),\"subscribers\":\(counters.subscribers),\"bad_frames\":\(counters.badFrames)}}"
        counters.statsMessages += 1
        try? send(topic: "stats", json: json)
    }

    public func close() {
        if let out { fclose(out) }
        collect.close()
        xpub.close()
    }
}
