import Foundation
import TestSupport
import XCTest
@testable import Wire

/// CRC32C against the RFC 3720 (iSCSI) vectors and a plain bitwise reference.
final class CodecCRC32CTests: XCTestCase {
    /// One bit at a time, straight from the definition: the reference the tables must agree with.
    private func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    func testRFC3720Vectors() {
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testSlicingByEightMatchesTheBitwiseReferenceAtEveryLengthAndAlignment() {
        var random = SeededGenerator(seed: 3)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<9 {
            for length in stride(from: 0, to: bytes.count - start, by: 7) {
                let slice = Array(bytes[start..<start + length])
                let fromSlice = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
                XCTAssertEqual(fromSlice, bitwiseCRC32C(slice), "start \(start) length \(length)")
            }
        }
    }

    func testChainingEqualsOneChecksumOverTheConcatenation() {
        var random = SeededGenerator(seed: 4)
        let bytes = (0..<200).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for split in 0...bytes.count {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            XCTAssertEqual(CRC32C.checksum(Array(bytes[split...]), seed: first), CRC32C.checksum(bytes))
        }
    }

    /// The hardware and table paths must be the same function: frames cross machines of both kinds.
    func testPortableAndDispatchedChecksumsAgreeAtEveryLengthAlignmentAndSeed() {
        var random = SeededGenerator(seed: 5)
        let bytes = (0..<600).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let seeds: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x8A91_36AA, UInt32(truncatingIfNeeded: random.next())]
        bytes.withUnsafeBytes { all in
            for start in 0..<17 {
                for length in 0...(all.count - start) where length < 70 || length % 13 == 0 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
                    XCTAssertEqual(CRC32C.portableChecksum(slice), bitwiseCRC32C(Array(slice)), "start \(start) length \(length)")
                    for seed in seeds {
                        XCTAssertEqual(CRC32C.checksum(slice, seed: seed), CRC32C.portableChecksum(slice, seed: seed),
                                       "start \(start) length \(length) seed \(seed)")
                    }
                }
            }
        }
    }

    /// On x86-64 every CPU this project runs on has SSE4.2; if detection broke, the slow path would
    /// hide it, so say so.
    func testHardwarePathIsUsedWhereTheCPUHasIt() throws {
        #if arch(x86_64)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard cpuinfo.contains(" sse4_2") else { throw XCTSkip("no /proc/cpuinfo or no SSE4.2 on this CPU") }
        XCTAssertTrue(CRC32C.usesHardware)
        #else
        throw XCTSkip("SSE4.2 detection is only checked on x86-64")
        #endif
    }
}
