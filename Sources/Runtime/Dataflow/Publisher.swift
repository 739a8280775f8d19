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
    // The publisher's hot state is touched per result by its one thread; the dynamic exclusivity
    // checks Swift adds to class properties cost more than the work and cannot fail here.
    @exclusivity(unchecked) public private(set) var counters = PublisherCounters()

    private let collect: FrameReceiver
    private let xpub: Socket
    private let out: UnsafeMutablePointer<FILE>?
    private let outPath: String?
    private var combiners: [any StreamOperator]
    /// Stage index of each input; -1 for the source.
    private let stageOfInput: [Int]
    private var watermarks: [Int64]
    private var ended: [Bool]
    @exclusivity(unchecked) private var pending: [(input: Int, record: ResultRecord)] = []
    private var released = Int64.min
    @exclusivity(unchecked) private var seq: UInt64 = 0
    private let epoch: UInt64 = 0
    private var stageStats: [Int: String] = [:]
    private var lastStats: UInt64 = 0
    private let statsInterval: Double
    private let started = monotonicNanoseconds()
    /// The published line being built (reused: one allocation for the run).
    @exclusivity(unchecked) private var line: [UInt8] = []
    /// Stage names as JSON string literals, escaped once.
    private let stageNamesJSON: [[UInt8]]
    private let sourceNameJSON = Array("\"source\"".utf8)
    /// Called after each message is published (tests and the latency benchmark).
    /// The line is valid only during the call.
    public var onPublish: ((_ topic: String, _ t: Int64, _ line: UnsafeRawBufferPointer) -> Void)?

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
        self.outPath = outPath
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
        stageNamesJSON = spec.stages.map { stage in
            var text = ""
            JSONWriter.appendString(stage.name, to: &text)
            return Array(text.utf8)
        }
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
            let frame = try collect.next(timeoutMilliseconds: 100) { [unowned self] error in rejectFrame("bad frame: \(error)") }
            reportStatsIfDue()
            guard let frame else { continue }
            let input = Int(frame.partition)
            guard input < stageOfInput.count else {
                rejectFrame("frame from input \(input), but this pipeline has \(stageOfInput.count) inputs")
                continue
            }
            switch frame.kind {
            case .data:
                guard case let .results(records) = frame.payload else {
                    rejectFrame("input \(input) sent \(frame.payload.type) records; the publisher takes results only")
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
        if let out, fflush(out) != 0 { throw outError() }
    }

    /// A frame the publisher cannot use is counted and published on `rejected` (never trusted),
    /// released with the source's rejections at the current release time.
    private func rejectFrame(_ reason: String) {
        counters.badFrames += 1
        var json = "{\"source\":"
        JSONWriter.appendString("publisher input \(collect.endpoint)", to: &json)
        json += ",\"line\":null,\"offset\":null,\"reason\":"
        JSONWriter.appendString(reason, to: &json)
        json += ",\"raw\":\"\"}"
        pending.append((stageOfInput.count - 1, ResultRecord(topic: "rejected", t: released, json: json)))
    }

    private func outError() -> RuntimeError {
        RuntimeError("cannot write --out \(outPath ?? ""): \(String(cString: strerror(errno)))")
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
        // stage, ordered by text unless the operator's combine orders them itself, and combined.
        var byStage = Array(repeating: [OperatorOutput](), count: spec.stages.count)
        var ordered: [(stage: Int, output: OperatorOutput)] = []
        for item in due {
            let output = item.record
            let stage = stageOfInput[item.input]
            if stage < 0 { ordered.append((-1, output)) } else { byStage[stage].append(output) }
        }
        for (stage, var partials) in byStage.enumerated() where !partials.isEmpty {
            if !combiners[stage].combineOrdersOutput {
                partials.sort { ($0.t, $0.topic, $0.json) < ($1.t, $1.topic, $1.json) }
            }
            let rejected = partials.filter { $0.topic == "rejected" }
            if !rejected.isEmpty { partials.removeAll { $0.topic == "rejected" } }
            for output in rejected { ordered.append((stage, output)) }
            for output in combiners[stage].combine(partials) { ordered.append((stage, output)) }
        }
        // Stable: equal (t, stage) keep the order built above.
        let sorted = ordered.enumerated().sorted { left, right in
            (left.element.output.t, left.element.stage, left.offset) < (right.element.output.t, right.element.stage, right.offset)
        }
        for (_, item) in sorted { try publish(item.output, stage: item.stage) }
    }

    /// Renders the published object as bytes: the envelope (topic, epoch, seq, t, stage) and then the
    /// operator's fields, spliced from its JSON object without re-parsing it.
    private func publish(_ output: OperatorOutput, stage: Int) throws {
        seq += 1
        line.removeAll(keepingCapacity: true)
        line.append(contentsOf: Self.topicPrefix)
        appendJSONString(output.topic, to: &line)
        line.append(contentsOf: Self.epochKey)
        appendDecimal(Int64(bitPattern: epoch), to: &line)
        line.append(contentsOf: Self.seqKey)
        appendDecimal(Int64(bitPattern: seq), to: &line)
        line.append(contentsOf: Self.tKey)
        if output.t == .min || output.t == .max { line.append(contentsOf: Self.null) } else { appendDecimal(output.t, to: &line) }
        line.append(contentsOf: Self.stageKey)
        line.append(contentsOf: stage < 0 ? sourceNameJSON : stageNamesJSON[stage])
        var body = output.json
        body.withUTF8 { bytes in
            guard bytes.count > 1 else {
                line.append(UInt8(ascii: "}"))
                return
            }
            if bytes[1] != UInt8(ascii: "}") { line.append(UInt8(ascii: ",")) }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[1...]))
        }
        var topic = output.topic
        do {
            _ = try topic.withUTF8 { bytes in
                try Result { () throws(TransportError) in try xpub.send(bytes: UnsafeRawBufferPointer(bytes), more: true) }.get()
            }
            _ = try line.withUnsafeBytes { bytes in
                try Result { () throws(TransportError) in try xpub.send(bytes: bytes) }.get()
            }
        } catch {
            throw RuntimeError("cannot publish on \(spec.output.endpoint): \(error)")
        }
        counters.published += 1
        counters.byTopic[output.topic, default: 0] += 1
        if let out {
            line.append(0x0A)
            let written = line.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, out) }
            line.removeLast()
            if written < line.count + 1 { throw outError() }
        }
        if let onPublish { line.withUnsafeBytes { onPublish(output.topic, output.t, $0) } }
    }

    private static let topicPrefix = Array("{\"topic\":".utf8)
    private static let epochKey = Array(",\"epoch\":".utf8)
    private static let seqKey = Array(",\"seq\":".utf8)
    private static let tKey = Array(",\"t\":".utf8)
    private static let stageKey = Array(",\"stage\":".utf8)
    private static let null = Array("null".utf8)

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

/// Appends `value` in decimal ASCII.
func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
    withUnsafeMutableBytes(of: &digits) { buffer in
        var index = buffer.count
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
    }
}

/// Appends a JSON string literal; plain ASCII (the usual topic) is copied as is.
func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
    var text = text
    let plain = text.withUTF8 { utf8 in utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") } }
    if plain {
        bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
    } else {
        var escaped = ""
        JSONWriter.appendString(text, to: &escaped)
        bytes.append(contentsOf: escaped.utf8)
    }
}
