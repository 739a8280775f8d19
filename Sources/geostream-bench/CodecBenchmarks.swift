// Needs `Wire` among geostream-bench's dependencies in Package.swift; until then this file compiles
// to nothing (Wire's module is visible in the build folder, its CLZ4 dependency is not).
import GeoCore
import Wire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Codec throughput and size on the real AIS day, batched as a stage sees it.
///
/// Data: `../shared/data/ais_uscoast_2020-06-30.csv` (235,944 rows) repeated 5 times, each copy
/// shifted by one day, so 1,179,720 events in time order, cut into frames of 1,000 consecutive
/// events. Each timing is the best of 3 passes over all frames with one reused encoder (and one
/// reused decoder, as a stage would keep).
///
/// `GEOSTREAM_BENCH_CPU_TIME=1` times by thread CPU time instead of the wall clock (see `bestOf`).
/// For instruction counts under valgrind, `GEOSTREAM_CODEC_COPIES` (1...5) and `GEOSTREAM_CODEC_RUNS`
/// (1...3) shrink the work; the defaults are the reported configuration.
func runCodecBenchmarks(report: (String, Double, String) -> Void) {
    guard let rows = loadAISDay() else {
        emitLine("codec: skipped, cannot read \(aisDayPath)")
        return
    }
    let copies = environmentInteger("GEOSTREAM_CODEC_COPIES", in: 1...5) ?? 5
    let runs = environmentInteger("GEOSTREAM_CODEC_RUNS", in: 1...3) ?? 3
    let dayMs: Int64 = 86_400_000
    var events: [PointEvent] = []
    events.reserveCapacity(rows.count * copies)
    for copy in 0..<copies {
        for row in rows {
            events.append(PointEvent(id: row.id, t: row.t + Int64(copy) * dayMs, point: Point(lon: row.lon, lat: row.lat)))
        }
    }
    let frames = stride(from: 0, to: events.count, by: 1000).map { start in
        Frame.data(.points(Array(events[start..<min(start + 1000, events.count)])), partition: 0, epoch: 1)
    }
    let eventCount = Double(events.count)
    emitLine("data: \(events.count) events from the real AIS day (time-shifted copies), frames of 1,000 consecutive events")

    for compression in [false, true] {
        var encoder = FrameEncoder(compression: compression)
        var output: [UInt8] = []
        var encoded: [[UInt8]] = []
        var bytes = 0
        let encodeSeconds = bestOf(runs) {
            bytes = 0
            for frame in frames {
                try! encoder.encode(frame, into: &output)
                bytes += output.count
            }
        }
        for frame in frames { encoded.append(try! encoder.encode(frame)) }
        let decoder = FrameDecoder()
        var decodedEvents = 0
        let decodeSeconds = bestOf(runs) {
            decodedEvents = 0
            for frame in encoded { decodedEvents += (try! decoder.decode(frame)).payload.count }
        }
        precondition(decodedEvents == events.count, "decoded \(decodedEvents) of \(events.count) events")
        let suffix = compression ? "lz4" : "raw"
        report("codec_encode_\(suffix)", eventCount / encodeSeconds, "events/s")
        report("codec_decode_\(suffix)", eventCount / decodeSeconds, "events/s")
        if compression {
            report("codec_lz4_ratio_vs_raw_rows", 32 * eventCount / Double(bytes), "ratio")
        }
    }

    var generator = UInt64(0x9E37_79B9_7F4A_7C15)
    let buffer = (0..<(16 << 20)).map { _ -> UInt8 in
        generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: generator >> 56)
    }
    var sink: UInt32 = 0
    let crcSeconds = bestOf(runs) { buffer.withUnsafeBytes { sink ^= CRC32C.checksum($0) } }
    report("crc32c", Double(buffer.count) / 1e6 / crcSeconds, "MB/s")
    if sink == 0x1234_5678 { print("") }  // keeps the checksum from being optimised away
}

/// An integer setting from the environment, if present and within `range`.
private func environmentInteger(_ name: String, in range: ClosedRange<Int>) -> Int? {
    guard let text = getenv(name), let value = Int(String(cString: text)), range.contains(value) else { return nil }
    return value
}

private let aisDayPath: String = {
    // Sources/geostream-bench/CodecBenchmarks.swift -> repository root -> ../shared/data/
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/../shared/data/ais_uscoast_2020-06-30.csv"
}()

private struct AISRow {
    var id: String
    var t: Int64
    var lon: Double
    var lat: Double
}

/// Reads `id,t,lon,lat` rows plainly (no quoting in this file); nil when the file is missing.
private func loadAISDay() -> [AISRow]? {
    guard let file = fopen(aisDayPath, "r") else { return nil }
    defer { fclose(file) }
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let read = fread(&chunk, 1, chunk.count, file)
        if read <= 0 { break }
        text.append(contentsOf: chunk[0..<read])
    }
    var rows: [AISRow] = []
    for line in text.split(separator: UInt8(ascii: "\n")).dropFirst() {
        let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard fields.count == 4,
              let t = Int64(String(decoding: fields[1], as: UTF8.self)),
              let lon = Double(String(decoding: fields[2], as: UTF8.self)),
              let lat = Double(String(decoding: fields[3], as: UTF8.self))
        else { continue }
        rows.append(AISRow(id: String(decoding: fields[0], as: UTF8.self), t: t, lon: lon, lat: lat))
    }
    return rows
}

/// The shortest of `runs` timings of `body`, in seconds: wall-clock, or with
/// `GEOSTREAM_BENCH_CPU_TIME=1` this thread's CPU time, which on a machine shared with other jobs
/// leaves out the time the scheduler gave them (not the cache and core sharing).
private func bestOf(_ runs: Int, _ body: () -> Void) -> Double {
    let cpuTime = getenv("GEOSTREAM_BENCH_CPU_TIME").map { String(cString: $0) == "1" } ?? false
    var best = Double.infinity
    for _ in 0..<runs {
        if cpuTime {
            let start = threadCPUSeconds()
            body()
            best = min(best, threadCPUSeconds() - start)
            continue
        }
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = min(best, seconds)
    }
    return best
}

/// CPU time used by the calling thread, in seconds.
private func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
