import Foundation
import GeoCore
import Operators
import Runtime
import TestSupport
import Wire

/// Range alerts and nearby end to end (issue 5): the city stream of the pipeline group through
/// `EmbeddedPipeline` with a range-alert stage over 1,000 and 100,000 generated 20-vertex polygon
/// fences, 1 and 2 workers (by id); a nearby stage over the same 10,000 vehicles at 100 m, 1 and 2
/// workers (by space); and the event-to-alert latency at 100,000 events/s offered.
func runAlertBenchmarks(eventCount: Int, report: (String, Double, String) -> Void) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-alert-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("city.csv").path
    let bytes = writeCityStream(to: input, events: eventCount)
    emitLine("data: \(eventCount) events (10,000 vehicles x \(eventCount / 10_000) s of event time, \(bytes / 1_000_000) MB CSV) over a \(cityBoxDescription)")

    let inMemory = cityEvents(count: eventCount)
    for fenceCount in [1_000, 100_000] {
        let fences = cityFences(count: fenceCount)
        let alert = RangeAlertSpec(fences: fences, detect: [.enter, .exit])
        emitLine("data: \(fenceCount) star-shaped 20-vertex polygon fences, radius \(Int(fenceRadius(count: fenceCount).lowerBound))-\(Int(fenceRadius(count: fenceCount).upperBound)) m; detect enter, exit")
        report("range_alert_operator_only_\(fenceCount)_fences", rangeAlertOperatorRate(events: inMemory, fences: fences), "events/s")
        if ProcessInfo.processInfo.environment["GEOSTREAM_BENCH_OPERATOR_ONLY"] != nil { continue }
        for workers in [1, 2] {
            let spec = alertSpec(.rangeAlert(alert), partition: PartitionSpec(by: .id, workers: workers))
            let (rate, alerts) = throughput(spec, input: input, eventCount: eventCount)
            report("range_alert_\(fenceCount)_fences_\(workerLabel(workers))", rate, "events/s")
            if workers == 1 { emitLine("range_alert_\(fenceCount)_fences: \(alerts) alerts published") }
        }
    }

    for workers in [1, 2] {
        let nearby = NearbySpec(distance: 100)
        let spec = alertSpec(.nearby(nearby), partition: PartitionSpec(by: .space, workers: workers, halo: workers > 1 ? 100 : 0))
        let (rate, alerts) = throughput(spec, input: input, eventCount: eventCount)
        report("nearby_10000_objects_100m_\(workerLabel(workers))", rate, "events/s")
        if workers == 1 { emitLine("nearby_10000_objects_100m: \(alerts) alerts published") }
    }

    alertLatency(input: input, eventCount: eventCount, fences: cityFences(count: 1_000), report: report)
}

private var cityBoxDescription: String {
    String(format: "%.1f x %.1f km city box", Geodesy.distance(Point(lon: cityBox.minX, lat: cityBox.minY), Point(lon: cityBox.maxX, lat: cityBox.minY)) / 1000,
           Geodesy.distance(Point(lon: cityBox.minX, lat: cityBox.minY), Point(lon: cityBox.minX, lat: cityBox.maxY)) / 1000)
}

private func workerLabel(_ workers: Int) -> String { workers == 1 ? "1_worker" : "\(workers)_workers" }

private func alertSpec(_ operatorSpec: OperatorSpec, partition: PartitionSpec) -> PipelineSpec {
    PipelineSpec(
        name: "bench",
        bbox: cityBox,
        window: WindowSpec(size: 60_000, slide: 10_000, lateness: 1_000),
        stages: [StageSpec(name: "alerts", partition: partition, operatorSpec: operatorSpec)]
    )
}

/// Fence radii shrink as fences multiply so the city holds them at a similar overlap.
private func fenceRadius(count: Int) -> Range<Double> { count <= 1_000 ? 100..<300 : 10..<40 }

/// Star-shaped polygons (20 vertices at jittered radii around a centre): simple, not convex, seeded.
func cityFences(count: Int) -> [FenceDefinition] {
    var random = SeededGenerator(seed: UInt64(count))
    let radii = fenceRadius(count: count)
    var fences: [FenceDefinition] = []
    fences.reserveCapacity(count)
    for index in 0..<count {
        let center = Point(lon: random.nextDouble(in: cityBox.minX..<cityBox.maxX), lat: random.nextDouble(in: cityBox.minY..<cityBox.maxY))
        let projection = LocalProjection(origin: center)
        let radius = random.nextDouble(in: radii)
        var ring: [Point] = []
        for vertex in 0..<20 {
            let angle = Double(vertex) / 20 * 2 * Double.pi
            let r = radius * random.nextDouble(in: 0.6..<1.0)
            ring.append(projection.unproject(Point(x: r * cos(angle), y: r * sin(angle))))
        }
        ring.append(ring[0])
        fences.append(FenceDefinition(id: "f\(index)", shape: .polygon(Polygon(uncheckedExterior: ring))))
    }
    return fences
}

/// Best of two runs: events/s, and the alerts published.
private func throughput(_ spec: PipelineSpec, input: String, eventCount: Int) -> (Double, Int) {
    var best = 0.0
    var alerts = 0
    for _ in 0..<2 {
        var options = EmbeddedPipeline.Options()
        options.publishEndpoint = "tcp://127.0.0.1:*"
        let descriptor = open(input, O_RDONLY)
        defer { close(descriptor) }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let summary = try EmbeddedPipeline.run(spec, descriptor: descriptor, options: options)
            precondition(summary.source.events == eventCount, "read \(summary.source.events) of \(eventCount)")
            alerts = summary.publisher.byTopic["alerts"] ?? 0
        } catch {
            emitLine("alerts: embedded run failed: \(error)")
            return (0, 0)
        }
        best = max(best, Double(eventCount) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
    return (best, alerts)
}

/// Replays the stream, in time order with no lateness (an alert cannot be released before the
/// watermark passes its time, so a lateness adds itself to every alert's latency), at 10x (100,000
/// events/s offered) through 1,000 fences with 2 workers. An
/// event's wall time is taken from the source's pacing: each slide crossing pins event time `W` to
/// a wall instant, and events between crossings are placed at `speed` from it. An alert's latency
/// is its publication minus its event's wall time.
private func alertLatency(input: String, eventCount: Int, fences: [FenceDefinition], report: (String, Double, String) -> Void) {
    final class Marks: @unchecked Sendable {
        let lock = NSLock()
        var crossed: [(watermark: Int64, nanos: UInt64)] = []
        var published: [(t: Int64, nanos: UInt64)] = []
    }
    let speed = 10.0
    let marks = Marks()
    var options = EmbeddedPipeline.Options()
    options.publishEndpoint = "tcp://127.0.0.1:*"
    options.source.speed = speed
    options.source.onSlideCrossed = { watermark in
        let now = DispatchTime.now().uptimeNanoseconds
        marks.lock.withLock { marks.crossed.append((watermark, now)) }
    }
    options.onPublish = { topic, t, _ in
        guard topic == "alerts" else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        marks.lock.withLock { marks.published.append((t, now)) }
    }
    let limited = min(eventCount, 600_000)
    let path = input + ".latency.csv"
    _ = writeCityStream(to: path, events: limited, ordered: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = open(path, O_RDONLY)
    defer { close(descriptor) }
    var spec = alertSpec(.rangeAlert(RangeAlertSpec(fences: fences, detect: [.enter, .exit])), partition: PartitionSpec(by: .id, workers: 2))
    spec.window = WindowSpec(size: 10_000, slide: 1_000, lateness: 0)
    do {
        _ = try EmbeddedPipeline.run(spec, descriptor: descriptor, options: options)
    } catch {
        emitLine("alerts: latency run failed: \(error)")
        return
    }
    var latencies: [Double] = []
    var crossing = 0
    for (t, publishedAt) in marks.published.sorted(by: { $0.t < $1.t }) {
        while crossing + 1 < marks.crossed.count && marks.crossed[crossing + 1].watermark <= t { crossing += 1 }
        guard crossing < marks.crossed.count, marks.crossed[crossing].watermark <= t else { continue }
        let anchor = marks.crossed[crossing]
        let eventWall = Double(anchor.nanos) + Double(t - anchor.watermark) * 1e6 / speed
        latencies.append((Double(publishedAt) - eventWall) / 1e6)
    }
    latencies.sort()
    guard !latencies.isEmpty else {
        emitLine("alerts: latency: no alerts measured")
        return
    }
    emitLine("data: latency of \(latencies.count) alerts, \(limited) events in time order (lateness 0) replayed at 10x = 100,000 events/s offered, 1,000 fences, 2 workers")
    report("range_alert_latency_p50", latencies[latencies.count / 2], "ms")
    report("range_alert_latency_p99", latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))], "ms")
}

/// The range-alert operator alone (no pipeline): the city stream in memory, batches of 1,000 and a
/// watermark after each, as a worker drives it. Separates the operator's cost from the runtime's.
func rangeAlertOperatorRate(events: [PointEvent], fences: [FenceDefinition]) -> Double {
    var best = 0.0
    for _ in 0..<2 {
        var op = RangeAlertOperator(spec: RangeAlertSpec(fences: fences, detect: [.enter, .exit]), clock: WindowClock(size: 60_000, slide: 10_000))
        var outputs: [OperatorOutput] = []
        var clock = WindowClock(size: 60_000, slide: 10_000)
        let start = DispatchTime.now().uptimeNanoseconds
        var index = 0
        while index < events.count {
            let end = min(index + 1_000, events.count)
            let batch = Array(events[index..<end])
            op.apply(points: batch, halo: false, clock: clock, into: &outputs)
            clock.watermark = batch.last!.t - 1_000
            op.advance(clock: clock, into: &outputs)
            outputs.removeAll(keepingCapacity: true)
            index = end
        }
        op.finish(clock: clock, into: &outputs)
        best = max(best, Double(events.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
    return best
}

/// The city stream of `writeCityStream` as events in memory.
func cityEvents(count: Int) -> [PointEvent] {
    var random = SeededGenerator(seed: 2026)
    let vehicles = 10_000
    var lon = (0..<vehicles).map { _ in random.nextDouble(in: cityBox.minX..<cityBox.maxX) }
    var lat = (0..<vehicles).map { _ in random.nextDouble(in: cityBox.minY..<cityBox.maxY) }
    let ids = (0..<vehicles).map { "v\($0)" }
    var events: [PointEvent] = []
    events.reserveCapacity(count)
    for index in 0..<count {
        let vehicle = index % vehicles
        lon[vehicle] = min(max(lon[vehicle] + random.nextDouble(in: -0.00012..<0.00012), cityBox.minX), cityBox.maxX)
        lat[vehicle] = min(max(lat[vehicle] + random.nextDouble(in: -0.00009..<0.00009), cityBox.minY), cityBox.maxY)
        let t = 1_700_000_000_000 + Int64(index / vehicles) * 1_000 + Int64(vehicle % 1_000)
        events.append(PointEvent(id: ids[vehicle], t: t, point: Point(lon: lon[vehicle], lat: lat[vehicle])))
    }
    return events
}
