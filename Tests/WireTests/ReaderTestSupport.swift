import Foundation
import GeoCore
import TestSupport
import Wire
import XCTest

/// Shared helpers for the reader tests: real-data paths, chunked feeding, result splitting.
enum ReaderTestData {
    /// `/work/shared/data` in development, `<repo>/../shared/data` in CI: resolved from this file.
    static var sharedDataDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // WireTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repo root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/data")
    }

    /// The bytes of a shared data file, or a skip when the shared folder is not beside the repo.
    static func shared(_ name: String) throws -> [UInt8] {
        let url = sharedDataDirectory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw XCTSkip("shared data file \(url.path) is absent")
        }
        return Array(data)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        return Array(try Data(contentsOf: url))
    }
}

/// Reads `bytes` in chunks whose sizes come from `nextSize`.
func readChunked(_ bytes: [UInt8], options: ReaderOptions, nextSize: () -> Int) throws -> [ReadItem] {
    var reader = EventReader(options: options)
    var items: [ReadItem] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + max(1, nextSize()))
        try bytes[start..<end].withUnsafeBytes { chunk in try reader.feed(chunk) { items.append($0) } }
        start = end
    }
    try reader.finish { items.append($0) }
    return items
}

/// Reads `bytes` whole, one byte at a time and in seeded random chunk sizes; fails unless all agree.
@discardableResult
func readEveryWay(_ bytes: [UInt8], options: ReaderOptions = ReaderOptions(),
                  file: StaticString = #filePath, line: UInt = #line) throws -> [ReadItem] {
    let whole = try EventReader.readAll(bytes, options: options)
    let single = try readChunked(bytes, options: options) { 1 }
    XCTAssertEqual(single, whole, "one byte at a time differs from whole input", file: file, line: line)
    var generator = SeededGenerator(seed: UInt64(bytes.count))
    for maxChunk in [7, 300, 70_000] {
        let random = try readChunked(bytes, options: options) { Int(generator.next() % UInt64(maxChunk)) + 1 }
        XCTAssertEqual(random, whole, "random chunks up to \(maxChunk) bytes differ from whole input", file: file, line: line)
    }
    return whole
}

/// The error thrown by `EventReader` for `bytes`, whole and one byte at a time (which must agree).
func readerError(_ bytes: [UInt8], options: ReaderOptions = ReaderOptions()) -> ReaderError? {
    var whole: ReaderError?
    do { _ = try EventReader.readAll(bytes, options: options) } catch { whole = error }
    var single: ReaderError?
    do { _ = try readChunked(bytes, options: options) { 1 } } catch let error as ReaderError { single = error } catch { XCTFail("\(error)") }
    XCTAssertEqual(whole?.code, single?.code)
    XCTAssertEqual(whole?.message, single?.message)
    return whole
}

extension Array where Element == ReadItem {
    var events: [InputEvent] {
        compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    var points: [PointEvent] {
        compactMap { if case .event(.point(let event)) = $0 { event } else { nil } }
    }

    var polygons: [PolygonEvent] {
        compactMap { if case .event(.polygon(let event)) = $0 { event } else { nil } }
    }

    var rejections: [Rejection] {
        compactMap { if case .rejected(let rejection) = $0 { rejection } else { nil } }
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
