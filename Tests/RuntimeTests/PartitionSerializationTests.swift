import XCTest
import GeoCore
import Runtime
import TestSupport

/// The stored form of `SpacePartitionMap`: round trips, a pinned version, and hostile bytes.
final class PartitionSerializationTests: XCTestCase {
    typealias Data = PartitionTestData

    /// FNV-1a 64, written out plainly: the trailer and the version.
    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return h
    }

    /// Replaces the trailer with the right hash, so a test reaches the checks behind it.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let hash = fnv1a(bytes[0..<(bytes.count - 8)])
        for i in 0..<8 { bytes[bytes.count - 8 + i] = UInt8(truncatingIfNeeded: hash >> UInt64(8 * i)) }
        return bytes
    }

    static func maps() -> [SpacePartitionMap] {
        var generator = SeededGenerator(seed: 20)
        let skewed = Data.skewed(8_192, in: Data.city, using: &generator)
        return [SpacePartitionMap(bbox: Data.city, workers: 1, sample: []),
                SpacePartitionMap(bbox: Data.city, workers: 3, sample: skewed),
                SpacePartitionMap(bbox: Data.city, workers: 8, sample: skewed, maxSlots: 100),
                SpacePartitionMap(bbox: Rect(minX: -180, minY: -90, maxX: 180, maxY: 90), workers: 5,
                                  sample: Data.uniform(2_000, in: Data.city, using: &generator))]
    }

    func testRoundTripGivesAnEqualMapThatRoutesTheSame() throws {
        var generator = SeededGenerator(seed: 21)
        for map in Self.maps() {
            let bytes = map.serialized()
            XCTAssertEqual(bytes.count, 52 + 9 * map.slots.count + 8)
            XCTAssertEqual(Self.fnv1a(bytes[0..<(bytes.count - 8)]), map.version, "the version is the body's FNV-1a")
            let loaded = try SpacePartitionMap(serialized: bytes)
            XCTAssertEqual(loaded, map)
            XCTAssertEqual(loaded.version, map.version)
            XCTAssertEqual(loaded.slots, map.slots)
            XCTAssertEqual(loaded.serialized(), bytes)
            for point in Data.uniform(500, in: Data.city, using: &generator) {
                XCTAssertEqual(loaded.worker(for: point), map.worker(for: point))
            }
        }
    }

    /// The version is stored with checkpoints: a change to the building rules or the format must be
    /// deliberate, so both are pinned here.
    func testVersionsArePinned() {
        let uniform = SpacePartitionMap(bbox: Data.city, workers: 3, sample: [])
        var generator = SeededGenerator(seed: 22)
        let skewed = SpacePartitionMap(bbox: Data.city, workers: 3, sample: Data.skewed(8_192, in: Data.city, using: &generator))
        XCTAssertEqual(uniform.version, 10_883_222_655_250_015_604)
        XCTAssertEqual(skewed.version, 10_503_355_541_103_350_137)
        XCTAssertEqual(skewed.slots.count, 151)
    }

    func testEveryTruncationAndAnExtraByteAreRejected() {
        let bytes = SpacePartitionMap(bbox: Data.city, workers: 3, sample: []).serialized()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SpacePartitionMap(serialized: Array(bytes.prefix(length)))) { error in
                XCTAssertEqual((error as? PartitionMapError)?.code, .truncated, "length \(length)")
            }
        }
        XCTAssertThrowsError(try SpacePartitionMap(serialized: bytes + [0])) { error in
            XCTAssertEqual((error as? PartitionMapError)?.code, .trailingBytes)
        }
    }

    /// 1,000 copies with one to three random bytes changed: each is rejected or loads as the original.
    /// A single changed byte is always rejected (each FNV-1a step is a bijection of its state).
    func testCorruptCopiesAreRejectedOrEqualToTheOriginal() {
        var generator = SeededGenerator(seed: 23)
        let maps = Self.maps()
        var rejected = 0, singleFlipsAccepted = 0
        for copy in 0..<1_000 {
            let map = maps[copy % maps.count]
            var bytes = map.serialized()
            let flips = 1 + copy % 3
            for _ in 0..<flips {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(1 + generator.next() % 255)
            }
            do {
                let loaded = try SpacePartitionMap(serialized: bytes)
                XCTAssertEqual(loaded, map, "copy \(copy) loaded as a different map")
                if flips == 1 { singleFlipsAccepted += 1 }
            } catch {
                rejected += 1
                XCTAssertFalse(error.message.isEmpty)
            }
        }
        XCTAssertEqual(singleFlipsAccepted, 0)
        XCTAssertGreaterThan(rejected, 990)
    }

    /// Content that passes the hash but breaks a rule is still rejected, each with its own code.
    func testWellSealedButInvalidContentIsRejectedWithItsCode() {
        let map = SpacePartitionMap(bbox: Data.city, workers: 3, sample: [])  // 64 slots at level 3
        let good = map.serialized()
        func expect(_ code: PartitionMapError.Code, _ line: UInt = #line, _ edit: (inout [UInt8]) -> Void) {
            var bytes = good
            edit(&bytes)
            XCTAssertThrowsError(try SpacePartitionMap(serialized: Self.resealed(bytes)), line: line) { error in
                XCTAssertEqual((error as? PartitionMapError)?.code, code, "\(error)", line: line)
            }
        }
        func put32(_ value: UInt32, at offset: Int, _ bytes: inout [UInt8]) {
            for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
        }
        let firstSlot = 52, lastSlot = 52 + 9 * 63
        expect(.badMagic) { $0[0] = UInt8(ascii: "X") }
        expect(.unsupportedVersion) { $0[4] = 2 }
        expect(.reservedNotZero) { $0[7] = 1 }
        expect(.invalidBBox) { bytes in for i in 8..<16 { bytes[i] = 0xFF } }  // minX = NaN
        expect(.invalidBBox) { bytes in bytes.replaceSubrange(8..<24, with: good[24..<40]) }  // min = max
        expect(.limitExceeded) { put32(0, at: 40, &$0) }
        expect(.limitExceeded) { put32(5_000, at: 40, &$0) }
        expect(.invalidSlots) { put32(3, at: 44, &$0) }  // overflow worker of 3 workers
        expect(.limitExceeded) { put32(UInt32.max, at: 48, &$0) }
        expect(.truncated) { put32(65, at: 48, &$0) }
        expect(.trailingBytes) { put32(63, at: 48, &$0) }
        expect(.invalidSlots) { $0[firstSlot] = 17 }  // level beyond the grid
        expect(.invalidSlots) { $0[firstSlot] = 2 }  // a level-2 first slot overlaps the next ones, which then overrun the curve
        expect(.invalidSlots) { $0[lastSlot] = 4 }  // the curve is left partly uncovered
        expect(.invalidSlots) { put32(2, at: firstSlot + 1, &$0) }  // worker 2 before workers 0 and 1
        expect(.invalidSlots) { put32(1, at: lastSlot + 1, &$0) }  // worker 2 owns no slot
        expect(.invalidSlots) { put32(3, at: lastSlot + 1, &$0) }  // no such worker
    }
}
