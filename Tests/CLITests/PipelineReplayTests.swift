import Foundation
import XCTest

/// Replay tests (issue 4): every sample stream through its pipeline with the built `geostream`, in
/// embedded mode and with `--processes` (real child processes over tcp loopback), with 1 and 3
/// workers; each `--out` file must equal the checked-in expected file byte for byte (the publisher's
/// release order makes results deterministic, docs/runtime.md). `GEOSTREAM_RECORD=1` re-records.
final class PipelineReplayTests: XCTestCase {
    struct Case {
        var pipeline: String
        var sample: String
        var expected: String
    }

    static let cases = [
        Case(pipeline: "pipelines/quickstart.yaml", sample: "samples/ais-uscoast-2020-06-30-first2000.csv", expected: "quickstart-ais-uscoast-first2000.ndjson"),
        Case(pipeline: "pipelines/quickstart.yaml", sample: "samples/ais-uscoast-sample-first1000.geojsonl", expected: "quickstart-ais-uscoast-first1000-geojsonl.ndjson"),
        Case(pipeline: "pipelines/harbor-heatmap.yaml", sample: "samples/ais-nyharbor-2020-06-30.csv", expected: "harbor-heatmap-ais-nyharbor.ndjson"),
    ]

    static let repository = IndexCommandTests.repository

    func testEverySampleGivesItsExpectedResultsInEveryModeAndWorkerCount() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let record = ProcessInfo.processInfo.environment["GEOSTREAM_RECORD"] != nil

        for testCase in Self.cases {
            let expectedURL = Self.repository.appendingPathComponent("samples/expected/\(testCase.expected)")
            for processes in [false, true] {
                for workers in [1, 3] {
                    let mode = "\(processes ? "--processes" : "embedded") with \(workers) worker(s)"
                    let out = directory.appendingPathComponent("\(testCase.expected)-\(processes)-\(workers)").path
                    var arguments = ["run", Self.repository.appendingPathComponent(testCase.pipeline).path,
                                     Self.repository.appendingPathComponent(testCase.sample).path,
                                     "--out", out, "--publish", "tcp://127.0.0.1:*", "--workers", String(workers), "--quiet"]
                    if processes { arguments.append("--processes") }
                    let result = try ChildProcess(arguments).finish(timeout: 60)
                    XCTAssertEqual(result.status, 0, "\(testCase.sample) \(mode): \(result.stderr)")
                    let actual = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                    if record && !processes && workers == 1 {
                        try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
                    }
                    let expected = try String(contentsOf: expectedURL, encoding: .utf8)
                    XCTAssertGreaterThan(expected.count, 0, "\(testCase.expected) is empty")
                    if actual != expected {
                        let got = actual.split(separator: "\n"), want = expected.split(separator: "\n")
                        let index = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
                        XCTFail("""
                            \(testCase.sample) through \(testCase.pipeline), \(mode): differs from samples/expected/\(testCase.expected) \
                            at line \(index + 1) (\(got.count) lines, expected \(want.count)):
                              got      \(index < got.count ? String(got[index]) : "<end>")
                              expected \(index < want.count ? String(want[index]) : "<end>")
                            """)
                    }
                }
            }
        }
    }

    func testPipedStdinGivesTheSameResultsAsAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-stdin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let testCase = Self.cases[0]
        let out = directory.appendingPathComponent("out.ndjson").path
        let child = try ChildProcess(["run", Self.repository.appendingPathComponent(testCase.pipeline).path, "-", "--out", out,
                                      "--publish", "tcp://127.0.0.1:*"], stdin: true)
        child.write(try Data(contentsOf: Self.repository.appendingPathComponent(testCase.sample)))
        child.closeInput()
        let result = child.finish(timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("2000 events (0 late, 0 rejected)"), result.stderr)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8),
                       try String(contentsOf: Self.repository.appendingPathComponent("samples/expected/\(testCase.expected)"), encoding: .utf8))
    }

    func testInvalidPipelineExits65NamingTheLineAndKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.yaml").path
        try "name: bad\nwindow: { size: 10s, slide: fast }\nstages:\n  - { name: h, operator: heatmap, cell: 1km }\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runGeostream(["run", path, Self.repository.appendingPathComponent(Self.cases[0].sample).path])
        XCTAssertEqual(result.status, 65)
        XCTAssertTrue(result.stderr.contains("bad.yaml:2: window.slide"), result.stderr)
    }
}
