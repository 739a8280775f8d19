import XCTest
import Foundation

/// `ingest --write-frames` then `inspect`: the frame file round-trips every event, and corruption is
/// reported per frame without stopping the listing.
final class InspectCommandTests: XCTestCase {
    static let seqSample = IndexCommandTests.repository.appendingPathComponent("samples/ais-uscoast-sample-first1000.geojsonl").path

    func testWriteFramesThenInspectListsEveryEvent() throws {
        let frames = temporaryPath("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: frames) }
        let ingest = try runGeostream(["ingest", Self.seqSample, "--write-frames", frames, "--batch", "300"])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        XCTAssertTrue(ingest.stderr.contains("ingest: 1000 events (1000 points, 0 polygons), 0 rejected, 5 frames"), ingest.stderr)

        let inspect = try runGeostream(["inspect", frames])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let lines = try inspect.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        XCTAssertEqual(lines.map { $0["kind"] as? String }, ["data", "data", "data", "data", "end"])
        XCTAssertEqual(lines.map { $0["count"] as? Int }, [300, 300, 300, 100, 0])
        XCTAssertNotNil(lines.first?["compressed"] as? Bool, "LZ4 is used only where it shrinks the payload")
        let events = lines.flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
        XCTAssertEqual(events.count, 1_000)
        // Same ids, times and positions as the input lines, in order.
        let input = try String(contentsOfFile: Self.seqSample, encoding: .utf8).split(separator: "\n")
        for (event, line) in zip(events, input) {
            let feature = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let properties = try XCTUnwrap(feature["properties"] as? [String: Any])
            let coordinates = try XCTUnwrap((feature["geometry"] as? [String: Any])?["coordinates"] as? [Double])
            XCTAssertEqual(event["id"] as? String, properties["id"] as? String)
            XCTAssertEqual(event["t"] as? Int64, properties["t"] as? Int64)
            XCTAssertEqual(event["lon"] as? Double, coordinates[0])
            XCTAssertEqual(event["lat"] as? Double, coordinates[1])
        }

        let summary = try runGeostream(["inspect", "--summary", frames])
        XCTAssertEqual(summary.status, 0)
        XCTAssertFalse(summary.stdout.contains("\"events\""))
        XCTAssertEqual(summary.stdout.split(separator: "\n").count, 5)
    }

    func testACorruptedFrameIsReportedByIndexAndOffsetAndTheRestStillPrints() throws {
        let frames = temporaryPath("corrupt")
        defer { try? FileManager.default.removeItem(atPath: frames) }
        let ingest = try runGeostream(["ingest", Self.seqSample, "--write-frames", frames, "--batch", "400"])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: frames)))
        let firstLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        let secondOffset = 4 + firstLength
        bytes[secondOffset + 4 + 36 + 10] ^= 0x40  // a payload byte of frame 1: the CRC must catch it
        try Data(bytes).write(to: URL(fileURLWithPath: frames))

        let inspect = try runGeostream(["inspect", frames])
        XCTAssertEqual(inspect.status, 1, inspect.stderr)
        let lines = inspect.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 4, "frames 0, 2 and the end frame still print")
        let bad = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(bad["frame"] as? Int, 1)
        XCTAssertEqual(bad["offset"] as? Int, secondOffset)
        XCTAssertTrue((bad["error"] as? String)?.contains("CRC") == true || (bad["error"] as? String)?.contains("crc") == true, "\(bad)")
        XCTAssertTrue(inspect.stderr.contains("inspect: 4 frames, 1 bad"), inspect.stderr)
    }

    func testATruncatedFileEndsWithAnErrorLineAndExit1() throws {
        let frames = temporaryPath("truncated")
        defer { try? FileManager.default.removeItem(atPath: frames) }
        XCTAssertEqual(try runGeostream(["ingest", Self.seqSample, "--write-frames", frames]).status, 0)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: frames)[.size] as? Int)
        XCTAssertEqual(truncate(frames, off_t(size - 50)), 0)
        let inspect = try runGeostream(["inspect", "--summary", frames])
        XCTAssertEqual(inspect.status, 1)
        XCTAssertTrue(inspect.stdout.contains("\"error\":\"frame file truncated"), inspect.stdout)
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(name)-\(getpid()).frames").path
    }
}
