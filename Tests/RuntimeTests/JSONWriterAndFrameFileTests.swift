import XCTest
import Foundation
import GeoCore
import Runtime
import TestSupport
import Wire

final class JSONWriterTests: XCTestCase {
    func testRandomValuesReadBackEqualThroughTheWireParser() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let value = randomValue(depth: 0, using: &generator)
            let text = JSONWriter.render(value)
            XCTAssertEqual(try JSONValue(parsing: text), value, text)
        }
    }

    func testStringsEscapeQuotesBackslashesAndControlCharacters() throws {
        var out = ""
        JSONWriter.appendString("a\"b\\c\nd\u{01}é☃", to: &out)
        XCTAssertEqual(out, #""a\"b\\c\nd\u0001é☃""#)
        XCTAssertEqual(try JSONValue(parsing: out), .string("a\"b\\c\nd\u{01}é☃"))
    }

    func testEventsAndRejectionsRenderAsTheDocumentedObjects() throws {
        let event = PointEvent(id: "367151850", t: 1_593_476_532_000, point: Point(lon: -86.98504, lat: 34.62055),
                               props: ["speed": .double(12.5), "name": .string("x")])
        XCTAssertEqual(JSONWriter.render(event),
                       #"{"id":"367151850","t":1593476532000,"lon":-86.98504,"lat":34.62055,"props":{"speed":12.5,"name":"x"}}"#)
        let rejection = Rejection(source: "in.csv", line: 3, reason: "lat 95.0 is outside [-90, 90]", raw: Array("b,2000,-73.5,95.0".utf8))
        XCTAssertEqual(JSONWriter.render(rejection),
                       #"{"source":"in.csv","line":3,"offset":null,"reason":"lat 95.0 is outside [-90, 90]","raw":"b,2000,-73.5,95.0"}"#)
        let square = try Polygon(exterior: [Point(lon: 0, lat: 0), Point(lon: 1, lat: 0), Point(lon: 1, lat: 1), Point(lon: 0, lat: 0)])
        XCTAssertEqual(JSONWriter.renderGeoJSON(.polygon(square)),
                       #"{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}"#)
    }

    private func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth < 3 ? 7 : 5), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &generator))
        case 3:
            let bits = UInt64.random(in: 0...UInt64.max, using: &generator)
            let number = Double(bitPattern: bits)
            return .double(number.isFinite ? number : Double.random(in: -1e6...1e6, using: &generator))
        case 4:
            let scalars = (0..<Int.random(in: 0..<12, using: &generator)).map { _ -> Character in
                let pool: [Character] = ["a", "Z", "\"", "\\", "\n", "\t", "\u{1F}", "é", "☃", "😀", "/", " "]
                return pool[Int.random(in: 0..<pool.count, using: &generator)]
            }
            return .string(String(scalars))
        case 5:
            return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            return .object(JSONObject((0..<Int.random(in: 0..<4, using: &generator)).map { index in
                JSONMember("k\(index)", randomValue(depth: depth + 1, using: &generator))
            }))
        }
    }
}

final class FrameFileTests: XCTestCase {
    func testRecordsRoundTripAndATruncatedTailIsReportedWithItsOffset() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frame-file-\(getpid()).frames").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try FrameFileWriter(path: path)
        let records: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 7, count: 70_000)]
        for record in records { try writer.append(record) }
        XCTAssertEqual(writer.bytesWritten, 12 + 70_003)

        var reader = try FrameFileReader(path: path)
        var read: [FrameFileRecord] = []
        while let record = try reader.next() { read.append(record) }
        XCTAssertEqual(read.map(\.bytes), records)
        XCTAssertEqual(read.map(\.offset), [0, 7, 11])
        XCTAssertEqual(read.map(\.index), [0, 1, 2])

        // Cut the file inside the last record.
        XCTAssertEqual(truncate(path, 11 + 4 + 100), 0)
        reader = try FrameFileReader(path: path)
        XCTAssertNotNil(try reader.next())
        XCTAssertNotNil(try reader.next())
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? FrameFileError)?.code, .truncated)
            XCTAssertEqual((error as? FrameFileError)?.offset, 11)
        }
        XCTAssertNil(try reader.next(), "nothing can be read after a broken record")
    }

    func testAnOversizedLengthPrefixIsRefusedBeforeReading() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frame-file-big-\(getpid()).frames").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xFF, 0xFF, 0xFF, 0x7F, 1, 2]).write(to: URL(fileURLWithPath: path))
        let reader = try FrameFileReader(path: path, maxFrameBytes: 1 << 20)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? FrameFileError)?.code, .oversized)
        }
    }
}
