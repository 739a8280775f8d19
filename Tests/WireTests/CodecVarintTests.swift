import TestSupport
import XCTest
@testable import Wire

/// The pointer-walking varint column reader against a plain LEB128 decoder written here.
final class CodecVarintTests: XCTestCase {
    /// Decodes `n` varints plainly: the values, or the index of the first bad or missing one.
    private func reference(_ bytes: [UInt8], count n: Int) -> (values: [UInt64], failedAt: Int?) {
        var values: [UInt64] = []
        var position = 0
        for i in 0..<n {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < bytes.count else { return (values, i) }
                let byte = bytes[position]
                if shift == 63 && byte > 1 { return (values, i) }
                value |= UInt64(byte & 0x7F) << shift
                position += 1
                if byte < 0x80 { break }
                shift += 7
            }
            values.append(value)
        }
        return (values, nil)
    }

    func testRandomColumnsDecodeLikeThePlainDecoder() {
        var random = SeededGenerator(seed: 41)
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            let n = Int(random.next() % 40)
            for _ in 0..<n {
                // Every length 1...10, values at the 64-bit edge, and now and then raw junk.
                switch random.next() % 6 {
                case 0: bytes.append(UInt8(random.next() % 128))
                case 1: bytes.append(contentsOf: encode(random.next() >> (random.next() % 64)))
                case 2: bytes.append(contentsOf: encode(.max - random.next() % 3))
                case 3: bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, UInt8(random.next() % 4)])
                case 4: bytes.append(UInt8(truncatingIfNeeded: random.next()))
                default: bytes.append(contentsOf: encode(UInt64(random.next() % 20_000)))
                }
            }
            if round % 3 == 0 && !bytes.isEmpty { bytes.removeLast(Int(random.next() % UInt64(min(bytes.count, 12)))) }
            let expected = reference(bytes, count: n)
            var values: [UInt64] = []
            var failedAt: Int?
            bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw, offsetBase: 0)
                do throws(FrameError) {
                    try reader.readVarints(n, "value") { i, value, _ in
                        XCTAssertEqual(i, values.count)
                        values.append(value)
                    }
                } catch {
                    failedAt = values.count
                }
            }
            XCTAssertEqual(values, expected.values, "round \(round)")
            XCTAssertEqual(failedAt, expected.failedAt, "round \(round)")
        }
    }

    func testOffsetsHandedToTheBodyAreWhereEachVarintStarts() {
        let bytes: [UInt8] = [0x05, 0x80, 0x01, 0xFF, 0xFF, 0x03] + Array(repeating: 0x00, count: 12) + [0x81, 0x00]
        var offsets: [Int] = []
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw, offsetBase: 36)
            do throws(FrameError) {
                try reader.readVarints(16, "value") { _, _, offset in offsets.append(offset) }
            } catch {
                XCTFail("\(error)")
            }
            XCTAssertTrue(reader.isAtEnd)
        }
        XCTAssertEqual(offsets, [36, 37, 39] + (42..<54).map { $0 } + [54])
    }

    func testPutWritesThePlainEncodingForEveryLength() {
        var random = SeededGenerator(seed: 42)
        var values: [UInt64] = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 1 << 49 - 1, 1 << 49, 1 << 56 - 1, 1 << 56, 1 << 63 - 1, 1 << 63, .max]
        for _ in 0..<5000 { values.append(random.next() >> (random.next() % 64)) }
        var buffer = [UInt8](repeating: 0xEE, count: 20)
        for value in values {
            let length = buffer.withUnsafeMutableBufferPointer { Varint.put(value, at: $0.baseAddress!) }
            XCTAssertEqual(Array(buffer[0..<length]), encode(value), "\(value)")
        }
    }

    private func encode(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }
}
