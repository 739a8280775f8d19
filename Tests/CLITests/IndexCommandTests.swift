import XCTest
import Foundation

/// Runs the built `geostream` binary as a user would and compares its output with checked-in
/// expected files. `GEOSTREAM_RECORD=1 swift test --filter CLITests` rewrites them after an
/// intended change; review the diff before committing.
final class IndexCommandTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = repository.appendingPathComponent("samples/ais-uscoast-2020-06-30-first2000.csv").path

    func testNearestOverTheWholeSampleMatchesTheExpectedOutput() throws {
        let result = try run(["index", Self.sample, "--nearest", "-74.02,40.68", "-k", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("indexed 2000 positions (0 rejected)"), result.stderr)
        try assertMatchesExpected(result.stdout, named: "nearest-new-york.ndjson")
    }

    func testWindowReplayAnswersFromTheLastWindowOnly() throws {
        let result = try run(["index", Self.sample, "--window", "10m", "--slide", "1m", "--bbox", "-74.3,40.4,-73.7,40.95"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("queries see [1593481680000, 1593482280000)"), result.stderr)
        for line in result.stdout.split(separator: "\n") {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let t = try XCTUnwrap(object["t"] as? Int64)
            XCTAssertTrue((1_593_481_680_000..<1_593_482_280_000).contains(t), "t \(t) is outside the window")
        }
        try assertMatchesExpected(result.stdout, named: "window-bbox-new-york.ndjson")
    }

    func testRadiusResultsAreWithinTheRadiusNearestFirst() throws {
        let result = try run(["index", Self.sample, "--radius", "-122.48,37.82,20000"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let distances = try result.stdout.split(separator: "\n").map { line -> Double in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try XCTUnwrap(object["distance_m"] as? Double)
        }
        XCTAssertFalse(distances.isEmpty)
        XCTAssertEqual(distances, distances.sorted())
        XCTAssertLessThanOrEqual(distances.last ?? 0, 20_000)
    }

    func testBadLinesAreReportedWithLineNumbersAndTheRestIsUsed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-cli-\(getpid()).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            id,t,lon,lat
            a,1593476532000,-73.5,45.5
            b,1593476533000,-73.5,95.0
            c,oops,-73.5,45.5
            d,1593476534000,NaN,45.5
            e,1593476535000,-73.6,45.6

            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try run(["index", file.path, "--bbox", "-74,45,-73,46"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains(" line 3: column 'lat': 95.0 is outside [-90, 90]: b,1593476533000,-73.5,95.0"), result.stderr)
        XCTAssertTrue(result.stderr.contains(" line 4: column 't': cannot read time 'oops'"), result.stderr)
        XCTAssertTrue(result.stderr.contains(" line 5: column 'lon': 'NaN' is not a finite number"), result.stderr)
        XCTAssertTrue(result.stderr.contains("indexed 2 positions (3 rejected)"), result.stderr)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 2, "the two good positions are still indexed")
    }

    /// The same recording as GeoJSON text sequences gives the same answers: index reads every input format.
    func testGeoJSONSeqInputGivesTheSameAnswersAsCSV() throws {
        let geojsonl = Self.repository.appendingPathComponent("samples/ais-uscoast-sample-first1000.geojsonl").path
        let fromJSON = try run(["index", geojsonl, "--nearest", "-74.02,40.68", "-k", "3"])
        XCTAssertEqual(fromJSON.status, 0, fromJSON.stderr)
        XCTAssertTrue(fromJSON.stderr.contains("indexed 1000 positions (0 rejected)"), fromJSON.stderr)
        let badFormat = try run(["index", geojsonl, "--format", "xml"])
        XCTAssertEqual(badFormat.status, 64)
        XCTAssertTrue(badFormat.stderr.contains("--format must be one of csv, geojson, geojsonseq"), badFormat.stderr)
    }

    func testUsageErrorsExitWith64AndNameTheOption() throws {
        let badDuration = try run(["index", Self.sample, "--window", "10x"])
        XCTAssertEqual(badDuration.status, 64)
        XCTAssertTrue(badDuration.stderr.contains("--window takes a positive duration"), badDuration.stderr)
        let badPoint = try run(["index", Self.sample, "--nearest", "north"])
        XCTAssertEqual(badPoint.status, 64)
        XCTAssertTrue(badPoint.stderr.contains("--nearest takes 2 comma-separated numbers"), badPoint.stderr)
        let missing = try run(["index", "/nonexistent/positions.csv"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read /nonexistent/positions.csv"), missing.stderr)
    }

    // MARK: Helpers

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `geostream` built next to this test bundle.
    static var binary: URL {
        var directory = Bundle.main.bundleURL
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directory = bundle.bundleURL.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("geostream")
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData, as: UTF8.self))
    }

    func assertMatchesExpected(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.repository.appendingPathComponent("Tests/CLITests/Expected/\(name)")
        if ProcessInfo.processInfo.environment["GEOSTREAM_RECORD"] != nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "output differs from \(name); rerun with GEOSTREAM_RECORD=1 if intended",
                       file: file, line: line)
    }
}
