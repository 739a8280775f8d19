import Foundation
import GeoCore
import Operators
import Runtime
import TestSupport

/// The heatmap pipeline end to end (issue 4): a generated city stream through `EmbeddedPipeline` with 1
/// and 2 workers, through `geostream run --processes` over tcp loopback, and the latency from reading the
/// event that closes a slide to publishing that slide's results, at 100,000 events/s offered.
///
/// Data: 10,000 vehicles on a seeded random walk in a Manhattan-sized bbox, one position each per second of
/// event time (10,000 events/s of event time), written as CSV before timing.
func runPipelineBenchmarks(eventCount: Int, report: (String, Double, String) -> Void) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-pipeline-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("city.csv").path
    let bytes = writeCityStream(to: input, events: eventCount)
    emitLine("data: \(eventCount) events (10,000 vehicles x \(eventCount / 10_000) s of event time, \(bytes / 1_000_000) MB CSV); heatmap 250 m cells, window 60s/10s")

    func spec(workers: Int, slide: Int64 = 10_000, size: Int64 = 60_000) -> PipelineSpec {
        PipelineSpec(
            name: "bench",
            bbox: cityBox,
            window: WindowSpec(size: size, slide: slide, lateness: 1_000),
            stages: [StageSpec(name: "heat", partition: PartitionSpec(by: .space, workers: workers), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(250))))]
        )
    }

    for workers in [1, 2] {
        var best = 0.0
        for _ in 0..<2 {
            var options = EmbeddedPipeline.Options()
            options.publishEndpoint = "tcp://127.0.0.1:*"
            let descriptor = open(input, O_RDONLY)
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let summary = try EmbeddedPipeline.run(spec(workers: workers), descriptor: descriptor, options: options)
                precondition(summary.source.events == eventCount, "read \(summary.source.events) of \(eventCount)")
            } catch {
                emitLine("pipeline: embedded run failed: \(error)")
            }
            close(descriptor)
            best = max(best, Double(eventCount) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        }
        report("pipeline_embedded_\(workers)_worker\(workers == 1 ? "" : "s")", best, "events/s")
    }

    processesBenchmark(input: input, directory: directory, eventCount: eventCount, report: report)
    latencyBenchmark(input: input, eventCount: eventCount, spec: spec(workers: 2, slide: 1_000, size: 10_000), report: report)
}

let cityBox = Rect(minX: -74.03, minY: 40.70, maxX: -73.90, maxY: 40.88)

/// Writes the vehicles' random walk as `id,t,lon,lat` CSV; returns the byte count. With `ordered`,
/// times never go backwards (10 events per ms); otherwise each second repeats ms 0-999 ten times,
/// so most events are behind the max time seen and need a lateness of 1 s.
func writeCityStream(to path: String, events: Int, ordered: Bool = false) -> Int {
    var random = SeededGenerator(seed: 2026)
    let vehicles = 10_000
    var lon = (0..<vehicles).map { _ in random.nextDouble(in: cityBox.minX..<cityBox.maxX) }
    var lat = (0..<vehicles).map { _ in random.nextDouble(in: cityBox.minY..<cityBox.maxY) }
    guard let file = fopen(path, "w") else { return 0 }
    defer { fclose(file) }
    var written = 0
    written += fputs("id,t,lon,lat\n", file) >= 0 ? 13 : 0
    var line = ""
    for index in 0..<events {
        let vehicle = index % vehicles
        let second = Int64(index / vehicles)
        // ~10 m/s steps, reflected at the bbox edges.
        lon[vehicle] += random.nextDouble(in: -0.00012..<0.00012)
        lat[vehicle] += random.nextDouble(in: -0.00009..<0.00009)
        lon[vehicle] = min(max(lon[vehicle], cityBox.minX), cityBox.maxX)
        lat[vehicle] = min(max(lat[vehicle], cityBox.minY), cityBox.maxY)
        let t = ordered ? 1_700_000_000_000 + Int64(index / 10) : 1_700_000_000_000 + second * 1_000 + Int64(vehicle % 1_000)
        line = "v\(vehicle),\(t),\(String(format: "%.6f", lon[vehicle])),\(String(format: "%.6f", lat[vehicle]))\n"
        fputs(line, file)
        written += line.utf8.count
    }
    return written
}

/// `geostream run --processes` on the same stream: the `geostream` executable next to this one.
private func processesBenchmark(input: String, directory: URL, eventCount: Int, report: (String, Double, String) -> Void) {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("geostream").path
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        emitLine("pipeline: --processes skipped, no geostream executable at \(executable) (build it: swift build -c release)")
        return
    }
    let pipeline = directory.appendingPathComponent("bench.yaml").path
    let yaml = """
        name: bench
        bbox: [\(cityBox.minX), \(cityBox.minY), \(cityBox.maxX), \(cityBox.maxY)]
        window: { size: 60s, slide: 10s, lateness: 1s }
        stages:
          - { name: heat, operator: heatmap, partition: { by: space, workers: 2 }, cell: 250m }
        """
    try? yaml.write(toFile: pipeline, atomically: true, encoding: .utf8)
    var best = 0.0
    for _ in 0..<2 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["run", pipeline, input, "--processes", "--quiet", "--publish", "tcp://127.0.0.1:*"]
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            emitLine("pipeline: --processes failed to start: \(error)")
            return
        }
        guard process.terminationStatus == 0 else {
            emitLine("pipeline: --processes exited with \(process.terminationStatus)")
            return
        }
        best = max(best, Double(eventCount) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
    report("pipeline_processes_tcp_2_workers", best, "events/s")
}

/// Replays the stream at 10x (10,000 events/s of event time -> 100,000 events/s offered) with 1 s slides:
/// for every result, from the wall time the source read the event that moved the watermark past its
/// window's end to the wall time the publisher published it (a slide's results go out as one burst).
private func latencyBenchmark(input: String, eventCount: Int, spec: PipelineSpec, report: (String, Double, String) -> Void) {
    final class Marks: @unchecked Sendable {
        let lock = NSLock()
        var crossed: [(watermark: Int64, nanos: UInt64)] = []
        var published: [(t: Int64, nanos: UInt64)] = []
    }
    let marks = Marks()
    var options = EmbeddedPipeline.Options()
    options.publishEndpoint = "tcp://127.0.0.1:*"
    options.source.speed = 10
    options.source.onSlideCrossed = { watermark in
        let now = DispatchTime.now().uptimeNanoseconds
        marks.lock.withLock { marks.crossed.append((watermark, now)) }
    }
    options.onPublish = { topic, t, _ in
        guard topic == "heatmap" else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        marks.lock.withLock { marks.published.append((t, now)) }
    }
    // 6 s of wall time (60 slides) is plenty for percentiles: cap the replayed events.
    let limited = min(eventCount, 600_000)
    let path = input + ".latency.csv"
    _ = writeCityStream(to: path, events: limited)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    do {
        _ = try EmbeddedPipeline.run(spec, descriptor: descriptor, options: options)
    } catch {
        emitLine("pipeline: latency run failed: \(error)")
        return
    }
    // Every result's own latency: from the crossing of its window's end to its publication.
    var latencies: [Double] = []
    var slides = Set<Int64>()
    for (end, publishedAt) in marks.published {
        guard let crossing = marks.crossed.first(where: { $0.watermark >= end }), publishedAt >= crossing.nanos else { continue }
        latencies.append(Double(publishedAt - crossing.nanos) / 1e6)
        slides.insert(end)
    }
    if ProcessInfo.processInfo.environment["GEOSTREAM_BENCH_VERBOSE"] != nil {
        var last: [Int64: Double] = [:]
        for (end, publishedAt) in marks.published {
            if let crossing = marks.crossed.first(where: { $0.watermark >= end }) { last[end] = Double(publishedAt - crossing.nanos) / 1e6 }
        }
        emitLine("last result of each slide (ms): " + last.keys.sorted().map { String(format: "%.1f", last[$0]!) }.joined(separator: " "))
    }
    latencies.sort()
    guard !latencies.isEmpty else {
        emitLine("pipeline: latency: no slides measured")
        return
    }
    emitLine("data: latency of \(latencies.count) heatmap results over \(slides.count) slides of 1 s, \(limited) events replayed at 10x = 100,000 events/s offered, 2 workers")
    report("pipeline_latency_p50", latencies[latencies.count / 2], "ms")
    report("pipeline_latency_p99", latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))], "ms")
}
