import GeoCore
import TestSupport
import XCTest
@testable import Wire

/// The encoder's interner against a plain dictionary: same numbering, same entry headers, across
/// many batches of one interner (slots and cache entries of old batches must not leak into new ones).
final class CodecInternerTests: XCTestCase {
    /// The dictionary entry header written plainly from the format's definition.
    private func referenceHeader(_ string: String) -> UInt64 {
        if string.utf8.count <= 18, let value = UInt64(string), String(value) == string {
            return value << 1 | 1
        }
        return UInt64(string.utf8.count) << 1
    }

    func testBatchesOfOneInternerMatchAPlainDictionary() {
        var data = CodecTestData(seed: 31)
        var interner = StringInterner()
        for batch in 0..<300 {
            let count = data.int(0...(batch % 10 == 0 ? 3000 : 200))
            // A small pool per batch, so strings repeat, in the same and in different storage.
            let pool = (0..<data.int(1...60)).map { _ in data.id() }
            let strings = (0..<count).map { _ in
                let string = pool[data.int(0...pool.count - 1)]
                return data.chance(0.3) ? String(decoding: Array(string.utf8), as: UTF8.self) : string
            }
            var copy = interner
            interner.reset(expected: data.chance(0.5) ? count : 8)
            let indexes = strings.withUnsafeBufferPointer { strings in
                (0..<strings.count).map { i in
                    data.chance(0.5)
                        ? interner.index(ofStringAt: UnsafeRawPointer(strings.baseAddress! + i))
                        : interner.index(of: strings[i])
                }
            }
            var reference: [String: Int] = [:]
            var order: [String] = []
            let expected = strings.map { string -> Int in
                if let index = reference[string] { return index }
                reference[string] = order.count
                order.append(string)
                return order.count - 1
            }
            XCTAssertEqual(indexes, expected, "batch \(batch)")
            XCTAssertEqual(interner.strings, order)
            XCTAssertEqual(interner.headers, order.map(referenceHeader))
            XCTAssertEqual(interner.textBytes, order.filter { referenceHeader($0) & 1 == 0 }.map(\.utf8.count).reduce(0, +))
            // A copy taken before the batch starts its own batch without disturbing this one.
            copy.reset(expected: 4)
            XCTAssertEqual(copy.index(of: "only in the copy"), 0)
            XCTAssertEqual(interner.strings, order)
        }
    }

    func testNumericAndTextSpellingsOfANumberAreDifferentEntries() {
        var interner = StringInterner()
        interner.reset(expected: 8)
        let strings = ["123", "0123", "123", "+123", "123 ", "0", "00", "0"]
        XCTAssertEqual(strings.map { interner.index(of: $0) }, [0, 1, 0, 2, 3, 4, 5, 4])
        XCTAssertEqual(interner.headers, [123 << 1 | 1, 4 << 1, 4 << 1, 4 << 1, 0 << 1 | 1, 2 << 1])
    }

    /// Ids built afresh for every batch (and freed after it), so the allocator is free to put a new
    /// id where an old one lived: the cache across batches must never take one for the other.
    func testFreshlyAllocatedIdsInEveryBatchAreNeverConfused() throws {
        var encoder = FrameEncoder(compression: false)
        let decoder = FrameDecoder()
        for round in 0..<300 {
            let events = (0..<40).map { k in
                // Out-of-line strings (over 15 bytes), built at run time.
                PointEvent(id: String(repeating: "x", count: 16 + k % 5) + "\(round * 40 + k)", t: Int64(k), point: Point(x: 1, y: 2))
            }
            let frame = Frame.data(.points(events), partition: 0, epoch: UInt64(round))
            XCTAssertEqual(try decoder.decode(try encoder.encode(frame)), frame)
        }
    }
}
