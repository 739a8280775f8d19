import XCTest
import Foundation
import Transport
import Wire

/// `geostream ingest` as a child process pushing into a PULL socket this test binds on a free port.
final class IngestCommandTests: XCTestCase {
    static let sample = IndexCommandTests.sample

    func testEverySampleEventArrivesOverTCPAndTheSummaryGoesToStderr() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        let bound = try pull.bind(.tcp(host: "127.0.0.1", port: nil))
        let child = try ChildProcess(["ingest", Self.sample, "--connect", bound.description])
        defer { child.stop() }

        let frames = try receiveUntilEnd(pull)
        let result = child.finish()
        XCTAssertEqual(result.status, 0, result.stderr)
        let ids = frames.flatMap(pointEvents).map(\.id)
        XCTAssertEqual(ids.count, 2_000)
        XCTAssertEqual(ids.first, "367151850")
        XCTAssertEqual(frames.last?.kind, .end)
        XCTAssertTrue(result.stderr.contains("ingest: 2000 events (2000 points, 0 polygons), 0 rejected, 3 frames"), result.stderr)
        XCTAssertEqual(result.stdout, "", "ingest prints nothing on stdout")
    }

    func testStdinThroughAPipeWithSmallBatchesAndRejectionsAsNDJSON() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        let bound = try pull.bind(.tcp(host: "127.0.0.1", port: nil))
        let child = try ChildProcess(["ingest", "-", "--connect", bound.description, "--batch", "2", "--time-unit", "ms"], stdin: true)
        defer { child.stop() }
        child.write(Data("id,t,lon,lat\na,1000,-73.5,45.5\nb,2000,-73.5,95.0\nc,3000,-73.6,45.6\nd,4000,-73.7,45.7\n".utf8))
        child.closeInput()

        let frames = try receiveUntilEnd(pull)
        let result = child.finish()
        XCTAssertEqual(result.status, 0, "rejections alone do not fail the run: \(result.stderr)")
        XCTAssertEqual(frames.map(\.payload.count), [2, 1, 0])
        XCTAssertEqual(frames.flatMap(pointEvents).map(\.id), ["a", "c", "d"])
        let rejection = try XCTUnwrap(result.stderr.split(separator: "\n").first { $0.hasPrefix("{") })
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(rejection.utf8)) as? [String: Any])
        XCTAssertEqual(object["source"] as? String, "stdin")
        XCTAssertEqual(object["line"] as? Int, 3)
        XCTAssertEqual(object["raw"] as? String, "b,2000,-73.5,95.0")
        XCTAssertNotNil(object["reason"] as? String)
        XCTAssertTrue(result.stderr.contains("1 rejected"), result.stderr)
    }

    func testStrictExitsWith65AtTheFirstBadLine() throws {
        let directory = FileManager.default.temporaryDirectory
        let input = directory.appendingPathComponent("ingest-strict-\(getpid()).csv")
        let frames = directory.appendingPathComponent("ingest-strict-\(getpid()).frames")
        let rejected = directory.appendingPathComponent("ingest-strict-\(getpid()).rejected")
        defer { for url in [input, frames, rejected] { try? FileManager.default.removeItem(at: url) } }
        try "id,t,lon,lat\na,1000,-73.5,45.5\nb,2000,NaN,45.5\nc,3000,-73.6,45.6\n".write(to: input, atomically: true, encoding: .utf8)

        let result = try runGeostream(["ingest", input.path, "--strict", "--time-unit", "ms",
                                                  "--write-frames", frames.path, "--rejected", rejected.path])
        XCTAssertEqual(result.status, 65, result.stderr)
        XCTAssertTrue(result.stderr.contains("--strict"), result.stderr)
        let lines = try String(contentsOf: rejected, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].contains("\"line\":3"), String(lines[0]))
    }

    func testUsageErrorsExitWith64AndNameTheOption() throws {
        let cases: [([String], String)] = [
            (["ingest", Self.sample, "--batch", "0"], "--batch must be at least 1"),
            (["ingest", Self.sample, "--time-unit", "hours"], "--time-unit must be auto, s or ms"),
            (["ingest", Self.sample, "--format", "xml"], "--format must be one of csv, geojson, geojsonseq"),
            (["ingest", Self.sample, "--connect", "http://x"], "--connect: invalid endpoint 'http://x'"),
            (["ingest", Self.sample, "--columns", "speed=v"], "--columns: column mapping 'speed=v': unknown field"),
        ]
        for (arguments, message) in cases {
            let result = try runGeostream(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let missing = try runGeostream(["ingest", "/nonexistent/in.csv", "--write-frames", "/dev/null"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read /nonexistent/in.csv"), missing.stderr)
    }

    // MARK: Helpers

    func receiveUntilEnd(_ pull: Socket) throws -> [Frame] {
        try pull.setReceiveTimeout(milliseconds: 10_000)
        var frames: [Frame] = []
        while true {
            let message = try XCTUnwrap(pull.receive(), "timed out after \(frames.count) frames")
            let frame = try FrameDecoder().decode(message.bytes)
            frames.append(frame)
            if frame.kind == .end { return frames }
        }
    }

    func pointEvents(_ frame: Frame) -> [PointEvent] {
        if case let .points(events) = frame.payload { return events }
        return []
    }
}
