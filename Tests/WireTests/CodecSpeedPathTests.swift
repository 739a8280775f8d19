import CLZ4
import GeoCore
import TestSupport
import XCTest
@testable import Wire

/// The shortcuts taken for encoding speed give exactly the bytes of the plain way: the time column's
/// one-byte branch against a plain LEB128 writer, and the LZ4 state reused from frame to frame
/// against a fresh encoder, and as a block that decompresses alone.
final class CodecSpeedPathTests: XCTestCase {
    /// The time column written plainly: unit byte, then zigzag LEB128 deltas one byte at a time.
    private func plainTimeColumn(_ times: [Int64]) -> [UInt8] {
        let wholeSeconds = times.allSatisfy { $0 % 1000 == 0 }
        var bytes: [UInt8] = [wholeSeconds ? 1 : 0]
        var previous: Int64 = 0
        for t in times {
            let value = wholeSeconds ? t / 1000 : t
            let delta = value &- previous
            var zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            while zigzag >= 0x80 {
                bytes.append(UInt8(zigzag & 0x7F) | 0x80)
                zigzag >>= 7
            }
            bytes.append(UInt8(zigzag))
            previous = value
        }
        return bytes
    }

    private func timeColumn(_ times: [Int64]) -> [UInt8] {
        var writer = ByteWriter()
        times.withUnsafeBufferPointer { Columns.writeTimes($0, into: &writer) }
        return Array(writer.storage[0..<writer.count])
    }

    func testTimeColumnMatchesThePlainWriterAroundTheOneByteEdge() {
        var random = SeededGenerator(seed: 303)
        // Deltas that zigzag to 0x7E...0x81 (the one-byte edge), both signs, mixed with long ones.
        let edgeSeconds: [Int64] = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 1 << 40, -(1 << 40)]
        for round in 0..<2000 {
            let count = Int(random.next() % 300)
            var t = Int64(1_593_475_200) + Int64(random.next() % 1_000_000)
            var times: [Int64] = []
            for _ in 0..<count {
                t &+= random.next() % 4 == 0 ? edgeSeconds[Int(random.next() % UInt64(edgeSeconds.count))] : Int64(random.next() % 5)
                times.append(t &* 1000)
            }
            // Every third round breaks whole seconds somewhere, so the millisecond rewrite runs too.
            if round % 3 == 0 && !times.isEmpty {
                times[Int(random.next() % UInt64(times.count))] &+= 1 + Int64(random.next() % 999)
            }
            XCTAssertEqual(timeColumn(times), plainTimeColumn(times), "round \(round)")
        }
    }

    func testTimeColumnAtTheInt64Extremes() {
        let times: [Int64] = [.min, .max, 0, -1, 1, .min + 1, .max - 1, -1000, 1000, 127_000, -128_000]
        XCTAssertEqual(timeColumn(times), plainTimeColumn(times))
        let seconds: [Int64] = [0, 63_000, -1_000, 64_000, 127_000, -9_223_372_036_854_775_000]
        XCTAssertEqual(timeColumn(seconds), plainTimeColumn(seconds))
    }

    /// Zigzag-free LEB128, one byte at a time.
    private func plainVarint(_ value: UInt64, into bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The index column's one-or-two-byte writer (dictionaries up to 2^14) and the general one
    /// above it, against the plain writer, on both sides of the 128 and 2^14 edges.
    func testIndexColumnMatchesThePlainWriter() {
        var random = SeededGenerator(seed: 306)
        for dictionaryCount in [1, 2, 127, 128, 129, 300, 16_383, 16_384, 16_385, 40_000] {
            for round in 0..<20 {
                let count = Int(random.next() % 3000)
                let edges = [0, 127, 128, dictionaryCount - 1, dictionaryCount / 2].filter { $0 >= 0 && $0 < dictionaryCount }
                let indexes = (0..<count).map { _ in
                    Int32(random.next() % 3 == 0 ? edges[Int(random.next() % UInt64(edges.count))] : Int(random.next() % UInt64(dictionaryCount)))
                }
                var writer = ByteWriter()
                indexes.withUnsafeBufferPointer { Columns.writeIndexes($0, dictionaryCount: dictionaryCount, into: &writer) }
                var plain: [UInt8] = []
                for index in indexes { plainVarint(UInt64(index), into: &plain) }
                XCTAssertEqual(Array(writer.storage[0..<writer.count]), plain, "dictionary \(dictionaryCount), round \(round)")
            }
        }
    }

    /// LZ4 blocks are independent although the state is reused: each frame's bytes equal those of a
    /// fresh encoder, whatever was compressed before, and the block decompresses on its own.
    func testReusedLZ4StateGivesTheBytesOfAFreshEncoder() throws {
        var data = CodecTestData(seed: 304)
        var reused = FrameEncoder(compression: true)
        var compressedFrames = 0
        for round in 0..<120 {
            let frame = round % 2 == 0 ? Frame.data(.points(data.points(data.int(0...1500))), partition: 0, epoch: 1) : data.frame(maxRecords: 400)
            let bytes = try reused.encode(frame)
            var fresh = FrameEncoder(compression: true)
            XCTAssertEqual(bytes, try fresh.encode(frame), "round \(round)")
            XCTAssertEqual(try FrameDecoder().decode(bytes), frame, "round \(round)")

            let header = try bytes.withUnsafeBytes { (bytes) throws(FrameError) in try FrameDecoder().header(of: bytes) }
            guard header.compressed else { continue }
            compressedFrames += 1
            var raw = FrameEncoder(compression: false)
            let rawPayload = Array(try raw.encode(frame)[FrameHeader.size...])
            XCTAssertEqual(rawPayload.count, Int(header.rawLength))
            // The block alone (no dictionary, no earlier block) gives the raw payload back.
            let block = bytes[FrameHeader.size...].map { CChar(bitPattern: $0) }
            var decompressed = [CChar](repeating: 0, count: rawPayload.count + 1)
            let produced = LZ4_decompress_safe(block, &decompressed, Int32(block.count), Int32(decompressed.count))
            XCTAssertEqual(Int(produced), rawPayload.count, "round \(round)")
            XCTAssertEqual(decompressed[0..<rawPayload.count].map { UInt8(bitPattern: $0) }, rawPayload, "round \(round)")
        }
        XCTAssertGreaterThan(compressedFrames, 40)
    }

    /// A copy of an encoder gets its own LZ4 state: two copies interleaved give the same bytes as
    /// two separate encoders.
    func testCopiedEncodersDoNotShareState() throws {
        var data = CodecTestData(seed: 305)
        var first = FrameEncoder(compression: true)
        _ = try first.encode(.data(.points(data.points(500)), partition: 0, epoch: 1))
        var second = first
        for round in 0..<50 {
            let a = Frame.data(.points(data.points(data.int(1...800))), partition: 1, epoch: 2)
            let b = Frame.data(.points(data.points(data.int(1...800))), partition: 2, epoch: 3)
            let bytesA = try first.encode(a)
            let bytesB = try second.encode(b)
            var freshA = FrameEncoder(compression: true)
            var freshB = FrameEncoder(compression: true)
            XCTAssertEqual(bytesA, try freshA.encode(a), "round \(round)")
            XCTAssertEqual(bytesB, try freshB.encode(b), "round \(round)")
        }
    }
}
