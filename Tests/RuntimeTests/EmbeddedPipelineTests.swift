import Foundation
import GeoCore
import Operators
import Runtime
import TestSupport
import Wire
import XCTest

/// The whole embedded pipeline (source, workers, publisher over inproc, XPUB on a free loopback
/// port, `--out` file) on seeded streams with out-of-order, late and malformed records.
final class EmbeddedPipelineTests: XCTestCase {
    /// A seeded stream: `count` vehicles' positions over a city bbox, times mostly increasing with
    /// jitter inside `lateness`, plus a few records far behind (late) and a few malformed lines.
    static func stream(seed: UInt64, count: Int) -> (csv: String, lateLines: Int, badLines: Int) {
        var random = SeededGenerator(seed: seed)
        var csv = "id,t,lon,lat\n"
        var t: Int64 = 1_600_000_000_000
        var late = 0
        var bad = 0
        for index in 0..<count {
            t += Int64(random.next() % 40)
            var eventTime = t - Int64(random.next() % 1_500)
            if index % 997 == 500 {
                eventTime = t - 60_000
                late += 1
            }
            if index % 1_499 == 700 {
                csv += "v\(index),not-a-time,-73.9,40.7\n"
                bad += 1
                continue
            }
            let lon = -74.05 + random.nextDouble(in: 0..<0.35)
            let lat = 40.60 + random.nextDouble(in: 0..<0.30)
            csv += "v\(random.next() % 300),\(eventTime),\(lon),\(lat)\n"
        }
        return (csv, late, bad)
    }

    static func spec(workers: Int, by: PartitionSpec.By) -> PipelineSpec {
        PipelineSpec(
            name: "test",
            bbox: Rect(minX: -74.3, minY: 40.4, maxX: -73.6, maxY: 41.0),
            window: WindowSpec(size: 10_000, slide: 4_000, lateness: 2_000),
            stages: [StageSpec(name: "heat", partition: PartitionSpec(by: by, workers: workers), operatorSpec: .heatmap(HeatmapSpec(cells: .metres(1_000))))]
        )
    }

    func run(_ spec: PipelineSpec, csv: String, sampleSize: Int = 8_192) throws -> (lines: [String], summary: RunSummary) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-embedded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.csv").path
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("out.ndjson").path
        var options = EmbeddedPipeline.Options()
        options.outPath = out
        options.publishEndpoint = "tcp://127.0.0.1:*"
        options.source.sampleSize = sampleSize
        options.source.sourceName = "in.csv"
        let descriptor = open(input, O_RDONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        let summary = try EmbeddedPipeline.run(spec, descriptor: descriptor, options: options)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        return (text.split(separator: "\n").map(String.init), summary)
    }

    /// The reference: one heatmap operator fed every non-late event (lateness decided by a plain
    /// watermark simulation), finished, then combined.
    static func reference(_ spec: PipelineSpec, csv: String) throws -> [String] {
        let items = try EventReader.readAll(Array(csv.utf8), options: ReaderOptions(source: "in.csv"))
        guard case let .heatmap(heatmap) = spec.stages[0].operatorSpec else { return [] }
        var clock = WindowClock(size: spec.window.size, slide: spec.window.slide)
        var op = HeatmapOperator(spec: heatmap, bbox: spec.bbox, clock: clock)
        var outputs: [OperatorOutput] = []
        var maxTime = Int64.min
        for case let .event(.point(event)) in items {
            let watermark = maxTime == .min ? Int64.min : maxTime - spec.window.lateness
            if event.t < watermark { continue }
            maxTime = max(maxTime, event.t)
            op.apply(points: [event], halo: false, clock: clock, into: &outputs)
        }
        clock.watermark = maxTime - spec.window.lateness
        op.finish(clock: clock, into: &outputs)
        return op.combine(outputs).map(\.json)
    }

    func testResultsEqualASingleOperatorAndAreIdenticalForAnyWorkerCount() throws {
        let stream = Self.stream(seed: 42, count: 8_000)
        let one = try run(Self.spec(workers: 1, by: .space), csv: stream.csv)
        let three = try run(Self.spec(workers: 3, by: .space), csv: stream.csv, sampleSize: 1_000)
        let byID = try run(Self.spec(workers: 2, by: .id), csv: stream.csv)
        assertSameLines(three.lines, one.lines, "by-space with 3 workers against 1 worker")
        assertSameLines(byID.lines, one.lines, "by-id with 2 workers against 1 worker")

        let heat = one.lines.filter { $0.hasPrefix("{\"topic\":\"heatmap\"") }
        let bodies = heat.map { line -> String in
            let start = line.range(of: ",\"stage\":\"heat\",")!.upperBound
            return "{" + line[start...]
        }
        assertSameLines(bodies, try Self.reference(Self.spec(workers: 1, by: .space), csv: stream.csv), "pipeline against one operator")
        XCTAssertGreaterThan(heat.count, 100)

        let rejected = one.lines.filter { $0.hasPrefix("{\"topic\":\"rejected\"") }
        XCTAssertEqual(rejected.count, stream.lateLines + stream.badLines)
        XCTAssertEqual(rejected.filter { $0.contains("\"reason\":\"late\"") }.count, stream.lateLines)
        XCTAssertEqual(one.summary.source.late, stream.lateLines)
        XCTAssertEqual(one.summary.source.rejected, stream.badLines)
        XCTAssertEqual(one.summary.publisher.published, one.lines.count)

        let seqs = one.lines.map { line -> Int in
            let start = line.range(of: "\"seq\":")!.upperBound
            return Int(line[start...].prefix { $0.isNumber })!
        }
        XCTAssertEqual(seqs, Array(1...seqs.count))
        XCTAssertFalse(one.lines.contains { $0.contains("\"topic\":\"stats\"") }, "--out holds results, not stats")
    }

    func testHaloCopiesReachEveryWorkerWithinTheHaloAndDoNotChangeHeatmapResults() throws {
        let stream = Self.stream(seed: 7, count: 5_000)
        var spec = Self.spec(workers: 3, by: .space)
        spec.stages[0].partition.halo = 800
        let withHalo = try run(spec, csv: stream.csv, sampleSize: 1_000)
        let without = try run(Self.spec(workers: 3, by: .space), csv: stream.csv, sampleSize: 1_000)
        assertSameLines(withHalo.lines, without.lines, "halo copies must not change heatmap results")

        // The expected copies: the same map (built from the first 1,000 non-late points), asked
        // directly for every routed event.
        let items = try EventReader.readAll(Array(stream.csv.utf8), options: ReaderOptions(source: "in.csv"))
        var maxTime = Int64.min
        var routed: [PointEvent] = []
        for case let .event(.point(event)) in items {
            if maxTime != .min && event.t < maxTime - spec.window.lateness { continue }
            maxTime = max(maxTime, event.t)
            routed.append(event)
        }
        let map = SpacePartitionMap(bbox: spec.bbox, workers: 3, sample: routed.prefix(1_000).map(\.point))
        var expected = 0
        var halo: [Int] = []
        for event in routed {
            halo.removeAll()
            map.haloWorkers(of: event.point, within: 800, owner: map.worker(for: event.point), into: &halo)
            expected += halo.count
        }
        XCTAssertGreaterThan(expected, 0)
        XCTAssertEqual(withHalo.summary.workers.values.reduce(0) { $0 + $1.haloEvents }, expected)
        XCTAssertEqual(withHalo.summary.workers.values.reduce(0) { $0 + $1.events }, routed.count, "each event owned once")
        XCTAssertEqual(without.summary.workers.values.reduce(0) { $0 + $1.haloEvents }, 0)
    }

    func testEmptyInputEndsCleanlyWithNoResults() throws {
        let result = try run(Self.spec(workers: 2, by: .space), csv: "id,t,lon,lat\n")
        XCTAssertEqual(result.lines, [])
        XCTAssertEqual(result.summary.source.events, 0)
    }
}

/// Compares two result lists and reports the first difference only (result lists are long).
func assertSameLines(_ actual: [String], _ expected: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    if let index = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
        XCTFail("\(what): line \(index + 1) differs:\n  got      \(actual[index])\n  expected \(expected[index])", file: file, line: line)
    } else if actual.count != expected.count {
        XCTFail("\(what): \(actual.count) lines, expected \(expected.count)", file: file, line: line)
    }
}
