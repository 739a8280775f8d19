import Foundation
import XCTest

/// The range-alert and nearby replay test (issue 5 §4): 90 minutes of real AIS traffic against real
/// country polygons through `pipelines/coast-alerts.yaml`, embedded and `--processes`, 1 and 3 workers.
/// The alerts must equal references computed independently of geostream (shapely/GEOS for the
/// fences, plain Python haversine for the pairs; see samples/README.md and scripts/), and the whole
/// `--out` file must be identical in every mode and worker count.
final class AlertReplayTests: XCTestCase {
    static let repository = IndexCommandTests.repository
    static let sample = repository.appendingPathComponent("samples/ais-uscoast-2020-06-30-evening.csv").path

    /// The pipeline as shipped, minus its fixed query endpoint (tests must not hold fixed ports).
    func pipelineCopy(in directory: URL) throws -> String {
        let original = try String(contentsOf: Self.repository.appendingPathComponent("pipelines/coast-alerts.yaml"), encoding: .utf8)
        let fences = Self.repository.appendingPathComponent("samples/countries-north-america.geojson").path
        let text = original
            .replacingOccurrences(of: "../samples/countries-north-america.geojson", with: "\"\(fences)\"")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("query:") }
            .joined(separator: "\n")
        XCTAssertNotEqual(text, original, "the pipeline no longer has the lines this test adapts")
        let path = directory.appendingPathComponent("coast-alerts.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAlertsEqualTheIndependentReferencesInEveryModeAndWorkerCount() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-alert-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipeline = try pipelineCopy(in: directory)
        let fenceReference = try referenceLines("coast-alerts.shapely.ndjson") { object in
            try Self.fenceKey(object)
        }
        let pairReference = try referenceLines("coast-meetings.reference.ndjson") { object in
            let pair = try XCTUnwrap(object["pair"] as? [String])
            return "\(try XCTUnwrap(object["t"] as? Int64)) \(try XCTUnwrap(object["kind"] as? String)) \(pair.joined(separator: ","))"
        }
        XCTAssertEqual(fenceReference.count, 301)
        XCTAssertEqual(pairReference.count, 60)

        var firstOutput: String?
        for processes in [false, true] {
            for workers in [1, 3] {
                let mode = "\(processes ? "--processes" : "embedded") with \(workers) worker(s)"
                let out = directory.appendingPathComponent("out-\(processes)-\(workers).ndjson").path
                var arguments = ["run", pipeline, Self.sample, "--out", out, "--publish", "tcp://127.0.0.1:*",
                                 "--workers", String(workers), "--quiet"]
                if processes { arguments.append("--processes") }
                let result = try ChildProcess(arguments).finish(timeout: 120)
                XCTAssertEqual(result.status, 0, "\(mode): \(result.stderr)")
                let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                var fenceAlerts: [String] = []
                var pairAlerts: [String] = []
                for line in output.split(separator: "\n") {
                    let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    guard object["topic"] as? String == "alerts" else { continue }
                    switch object["stage"] as? String {
                    case "borders":
                        fenceAlerts.append(try Self.fenceKey(object))
                    case "meetings":
                        let pair = [try XCTUnwrap(object["object"] as? String), try XCTUnwrap(object["other"] as? String)].sorted()
                        pairAlerts.append("\(try XCTUnwrap(object["t"] as? Int64)) \(try XCTUnwrap(object["kind"] as? String)) \(pair.joined(separator: ","))")
                    default:
                        XCTFail("\(mode): alert from an unexpected stage: \(line)")
                    }
                }
                assertSameLines(fenceAlerts.sorted(), fenceReference, "\(mode): borders vs shapely")
                assertSameLines(pairAlerts.sorted(), pairReference, "\(mode): meetings vs plain-Python reference")
                if let firstOutput {
                    XCTAssertTrue(output == firstOutput, "\(mode): --out differs from embedded with 1 worker")
                } else {
                    firstOutput = output
                }
            }
        }
    }

    /// `t kind fence object lon lat`, with coordinates as the decimal text both sides print.
    static func fenceKey(_ object: [String: Any]) throws -> String {
        let t = try XCTUnwrap(object["t"] as? Int64)
        let kind = try XCTUnwrap(object["kind"] as? String)
        let fence = try XCTUnwrap(object["fence"] as? String)
        let id = try XCTUnwrap(object["object"] as? String)
        let lon = try XCTUnwrap(object["lon"] as? Double), lat = try XCTUnwrap(object["lat"] as? Double)
        return "\(t) \(kind) \(fence) \(id) \(lon) \(lat)"
    }

    func referenceLines(_ name: String, key: ([String: Any]) throws -> String) throws -> [String] {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("samples/expected/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try key(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
        }.sorted()
    }

    func assertSameLines(_ actual: [String], _ expected: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard actual != expected else { return }
        let missing = Set(expected).subtracting(actual).sorted().prefix(5)
        let extra = Set(actual).subtracting(expected).sorted().prefix(5)
        XCTFail("\(what): \(actual.count) alerts, expected \(expected.count); missing \(Array(missing)); unexpected \(Array(extra))", file: file, line: line)
    }
}
