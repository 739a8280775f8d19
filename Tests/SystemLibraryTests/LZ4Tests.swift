import XCTest
import CLZ4

/// Proves the CLZ4 system-library target links and works, including on corrupt input.
final class LZ4Tests: XCTestCase {
    /// Compressible bytes resembling CSV rows, so the ratio check means something.
    private let input: [UInt8] = {
        var text = ""
        for i in 0..<5_000 { text += "36698\(i % 97),15931\(i % 13)00000,-70.\(i % 1000),42.\(i % 777)\n" }
        return Array(text.utf8)
    }()

    func testRoundTripRestoresTheBytesAndCompresses() throws {
        let compressed = try compress(input)
        XCTAssertLessThan(compressed.count, input.count / 2, "CSV-like text should compress at least 2x")
        XCTAssertEqual(try decompress(compressed, originalSize: input.count), input)
    }

    func testEmptyInputRoundTrips() throws {
        let compressed = try compress([])
        XCTAssertEqual(try decompress(compressed, originalSize: 0), [])
    }

    func testCorruptInputFailsCleanly() throws {
        let compressed = try compress(input)
        // Truncation: the safe decoder must report an error, never read or write out of bounds.
        XCTAssertThrowsError(try decompress(Array(compressed.prefix(compressed.count / 2)), originalSize: input.count))
        // Garbage: a token whose match offset points before the start of the output.
        XCTAssertThrowsError(try decompress([0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], originalSize: input.count))
        // A lying size: the output buffer is smaller than the data really decompresses to.
        XCTAssertThrowsError(try decompress(compressed, originalSize: input.count - 1))
        // Random bit flips in the body must never crash; each either fails or yields some bytes.
        var flipped = compressed
        for i in stride(from: 7, to: flipped.count, by: 97) { flipped[i] ^= 0x5A }
        _ = try? decompress(flipped, originalSize: input.count)
    }

    struct LZ4Failure: Error { let code: Int32 }

    private func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        let bound = Int(LZ4_compressBound(Int32(bytes.count)))
        var output = [UInt8](repeating: 0, count: max(bound, 1))
        let written = bytes.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_compress_default(
                    source.baseAddress?.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count), Int32(destination.count))
            }
        }
        guard written > 0 else { throw LZ4Failure(code: written) }
        return Array(output.prefix(Int(written)))
    }

    private func decompress(_ bytes: [UInt8], originalSize: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(originalSize, 1))
        let written = bytes.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_decompress_safe(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count), Int32(originalSize))
            }
        }
        guard written == originalSize else { throw LZ4Failure(code: written) }
        return Array(output.prefix(originalSize))
    }
}
