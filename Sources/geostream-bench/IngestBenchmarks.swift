import Foundation
import Runtime
import Transport
import Wire

/// `geostream ingest` end to end: file -> reader -> batches -> LZ4 frames -> PUSH over tcp loopback
/// -> PULL on a second thread that decodes every frame.
///
/// Data: `../shared/data/ais_uscoast_2020-06-30.csv` (235,944 rows) written 5 times to a temporary
/// file, each copy shifted by one day, so 1,179,720 events (about 51 MB of CSV). One run, timed from
/// the first read to the receiver decoding the `end` frame.
///
/// For instruction counts under callgrind, `GEOSTREAM_INGEST_COPIES` (1...5) shrinks the input.
func runIngestBenchmarks(report: (String, Double, String) -> Void) {
    guard let day = FileManager.default.contents(atPath: ingestDayPath) else {
        emitLine("ingest: skipped, cannot read \(ingestDayPath)")
        return
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-ingest-bench-\(getpid()).csv").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let copies = ProcessInfo.processInfo.environment["GEOSTREAM_INGEST_COPIES"].flatMap { Int($0) }.map { min(max($0, 1), 5) } ?? 5
    guard let rows = writeShiftedCopies(of: Array(day), copies: copies, to: path) else {
        emitLine("ingest: skipped, cannot write \(path)")
        return
    }

    emitLine("data: \(rows) events: the real AIS day as CSV, \(copies) time-shifted copies, batches of 1,000")

    // The same run without sockets (frames to /dev/null), to tell reading+encoding from transport.
    do {
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let sink = try FrameFileWriter(path: "/dev/null")
        let start = DispatchTime.now().uptimeNanoseconds
        let counters = try IngestSource(options: IngestOptions(reader: ReaderOptions(source: "bench")), socket: nil,
                                        frameFile: sink, rejections: { _ in }).run(descriptor: descriptor)
        precondition(counters.events == rows, "encoded \(counters.events) of \(rows) events")
        report("ingest_without_transport", Double(rows) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9), "events/s")
    } catch {
        emitLine("ingest: failed without transport: \(error)")
    }

    do {
        let context = try MessagingContext(ioThreads: 1)
        defer { context.terminate() }
        let endpoint = DrainedEndpoint()
        let receiver = Thread {
            do {
                // Created, bound and used on this thread only (sockets are not thread-safe).
                let pull = try Socket(context, .pull)
                defer { pull.close() }
                endpoint.set(try pull.bind(.tcp(host: "127.0.0.1", port: nil)))
                let decoder = FrameDecoder()
                var events = 0
                while let message = try pull.receive() {
                    let frame = try message.withUnsafeBytes { raw in try Result { () throws(FrameError) in try decoder.decode(raw) }.get() }
                    events += frame.payload.count
                    if frame.kind == .end { break }
                }
                endpoint.finish(events: events, at: DispatchTime.now().uptimeNanoseconds)
            } catch {
                emitLine("ingest: receiver failed: \(error)")
                endpoint.finish(events: -1, at: DispatchTime.now().uptimeNanoseconds)
            }
        }
        receiver.start()
        let bound = endpoint.waitForEndpoint()
        let push = try IngestSource.pushSocket(context, connectingTo: bound)
        defer { push.close() }
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        let start = DispatchTime.now().uptimeNanoseconds
        let counters = try IngestSource(options: IngestOptions(reader: ReaderOptions(source: "bench")), socket: push,
                                        rejections: { _ in }).run(descriptor: descriptor)
        let (received, end) = endpoint.waitForFinish()
        precondition(received == rows && counters.events == rows, "sent \(counters.events), received \(received) of \(rows) events")
        let seconds = Double(end - start) / 1e9
        report("ingest_tcp_end_to_end", Double(rows) / seconds, "events/s")
        report("ingest_tcp_bytes_per_event", Double(counters.bytesSent) / Double(rows), "bytes")
    } catch {
        emitLine("ingest: failed: \(error)")
    }
}

/// The AIS day with its header once, then `copies` copies of its rows, copy k shifted by k days.
/// Returns the number of rows written.
private func writeShiftedCopies(of day: [UInt8], copies: Int, to path: String) -> Int? {
    let lines = day.split(separator: UInt8(ascii: "\n"))
    guard let header = lines.first else { return nil }
    var output: [UInt8] = Array(header) + [UInt8(ascii: "\n")]
    output.reserveCapacity(day.count * copies + copies * lines.count * 2)
    var rows = 0
    for copy in 0..<copies {
        let shift = Int64(copy) * 86_400_000
        for line in lines.dropFirst() {
            // id,t,lon,lat: rewrite the second field.
            let fields = line.split(separator: UInt8(ascii: ","), maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let t = Int64(String(decoding: fields[1], as: UTF8.self)) else { continue }
            output.append(contentsOf: fields[0])
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: String(t + shift).utf8)
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: fields[2])
            output.append(UInt8(ascii: "\n"))
            rows += 1
        }
    }
    return FileManager.default.createFile(atPath: path, contents: Data(output)) ? rows : nil
}

/// Hands the receiver's bound endpoint to the sender, and its result back.
private final class DrainedEndpoint: @unchecked Sendable {
    private let condition = NSCondition()
    private var endpoint: Endpoint?
    private var result: (events: Int, end: UInt64)?

    func set(_ bound: Endpoint) {
        condition.withLock { endpoint = bound; condition.broadcast() }
    }

    func waitForEndpoint() -> Endpoint {
        condition.withLock {
            while endpoint == nil { condition.wait() }
            return endpoint!
        }
    }

    func finish(events: Int, at end: UInt64) {
        condition.withLock { result = (events, end); condition.broadcast() }
    }

    func waitForFinish() -> (events: Int, end: UInt64) {
        condition.withLock {
            while result == nil { condition.wait() }
            return result!
        }
    }
}

private let ingestDayPath: String = {
    // Sources/geostream-bench/IngestBenchmarks.swift -> repository root -> ../shared/data/
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/../shared/data/ais_uscoast_2020-06-30.csv"
}()
