import GeoCore
import TestSupport
import XCTest
@testable import Wire

/// Damaged, truncated and lying frames are rejected with a typed error (or, rarely, decode to the
/// original); nothing traps.
final class CodecCorruptionTests: XCTestCase {
    /// Small limits, so a lie that slipped past a check would show as a limit breach, not just memory use.
    private let decoder = FrameDecoder(limits: FrameLimits(
        maxPayloadBytes: 1 << 20, maxRawBytes: 4 << 20, maxRecords: 10_000, maxStringBytes: 64 << 10,
        maxVertices: 100_000, maxNesting: 16))

    /// Rewrites the checksum so the damage reaches the checks behind it.
    private func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        guard bytes.count >= FrameHeader.size else { return bytes }
        let crc = CRC32C.checksum(Array(bytes[FrameHeader.size...]), seed: CRC32C.checksum(Array(bytes[0..<32])))
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(32..<36, with: $0) }
        return bytes
    }

    private func setU32(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 4, with: $0) }
    }

    enum Damage: CaseIterable { case bitFlips, truncation, headerLie, resealedBitFlips, resealedHeaderLie }

    func testTenThousandDamagedFramesAreRejectedOrDecodeToTheOriginal() throws {
        var data = CodecTestData(seed: 11)
        var encoder = FrameEncoder()
        var plainEncoder = FrameEncoder(compression: false)
        var rejected: [FrameError.Code: Int] = [:]
        var decodedIntact = 0
        var decodedAltered = 0
        for round in 0..<10_000 {
            let frame = data.frame(maxRecords: 24)
            let original = round % 2 == 0 ? try encoder.encode(frame) : try plainEncoder.encode(frame)
            var bytes = original
            let damage = Damage.allCases[data.int(0...Damage.allCases.count - 1)]
            switch damage {
            case .bitFlips, .resealedBitFlips:
                for _ in 0..<data.int(1...8) {
                    let position = data.int(0...bytes.count * 8 - 1)
                    bytes[position / 8] ^= 1 << UInt8(position % 8)
                }
                if damage == .resealedBitFlips { bytes = resealed(bytes) }
            case .truncation:
                bytes.removeLast(data.int(1...bytes.count))
            case .headerLie, .resealedHeaderLie:
                let field = [8, 20, 24, 28][data.int(0...3)]
                let lies: [UInt32] = [0, 1, 2, .max, .max - 1, 1 << 31, UInt32(data.int(0...70_000)), UInt32(bytes.count)]
                setU32(&bytes, at: field, lies[data.int(0...lies.count - 1)])
                if damage == .resealedHeaderLie { bytes = resealed(bytes) }
            }
            do {
                let decoded = try decoder.decode(bytes)
                if bytes == original {
                    XCTAssertEqual(decoded, frame)
                    decodedIntact += 1
                } else if damage == .resealedBitFlips || damage == .resealedHeaderLie {
                    decodedAltered += 1  // A valid checksum over altered bytes: any frame may come out.
                } else {
                    // Without resealing, only a CRC collision could get here; it would have to decode to the original.
                    XCTAssertEqual(decoded, frame, "damage \(damage) slipped past the checksum")
                }
            } catch {
                rejected[error.code, default: 0] += 1
                if damage == .truncation { XCTAssertEqual(error.code, .truncated) }
                if damage == .bitFlips || damage == .headerLie {
                    XCTAssertTrue(error.code != .malformedPayload && error.code != .decompressionFailed, "\(error) behind a bad checksum")
                }
            }
        }
        // The mix must reach the deep checks, not just the checksum.
        for code: FrameError.Code in [.truncated, .checksumMismatch, .malformedPayload, .decompressionFailed, .inconsistentHeader, .trailingBytes] {
            XCTAssertGreaterThan(rejected[code, default: 0], 0, "no frame was rejected as \(code): \(rejected)")
        }
        XCTAssertGreaterThan(decodedIntact + decodedAltered + rejected.values.reduce(0, +), 9_999)
    }

    /// Every strict prefix of a valid frame is refused as truncated; one extra byte as trailing bytes.
    func testFeedingOneByteAtATimeRejectsEveryPrefixAsTruncated() throws {
        var data = CodecTestData(seed: 12)
        for compression in [false, true] {
            var encoder = FrameEncoder(compression: compression)
            for _ in 0..<12 {
                let frame = data.frame(maxRecords: 40)
                let bytes = try encoder.encode(frame)
                for length in 0..<bytes.count {
                    XCTAssertThrowsError(try decoder.decode(Array(bytes[0..<length]))) { error in
                        XCTAssertEqual((error as? FrameError)?.code, .truncated, "prefix of \(length) of \(bytes.count)")
                    }
                }
                XCTAssertEqual(try decoder.decode(bytes), frame)
                XCTAssertThrowsError(try decoder.decode(bytes + [0])) { error in
                    XCTAssertEqual((error as? FrameError)?.code, .trailingBytes)
                }
            }
        }
    }

    private func expect(_ code: FrameError.Code, offset: Int? = nil, decoding bytes: [UInt8], limits: FrameLimits = FrameLimits(), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try FrameDecoder(limits: limits).decode(bytes), file: file, line: line) { error in
            guard let error = error as? FrameError else { return XCTFail("not a FrameError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            if let offset { XCTAssertEqual(error.offset, offset, "\(error)", file: file, line: line) }
            XCTAssertFalse(error.message.isEmpty, file: file, line: line)
        }
    }

    func testEachHeaderCheckNamesItsFieldAndOffset() throws {
        var encoder = FrameEncoder(compression: false)
        let events = (0..<10).map { PointEvent(id: "v\($0)", t: Int64($0), point: .init(x: 1, y: 2)) }
        let valid = try encoder.encode(.data(.points(events), partition: 1, epoch: 1))
        func altered(_ change: (inout [UInt8]) -> Void, reseal: Bool = true) -> [UInt8] {
            var bytes = valid
            change(&bytes)
            return reseal ? resealed(bytes) : bytes
        }
        expect(.truncated, decoding: Array(valid[0..<35]))
        expect(.badMagic, offset: 3, decoding: altered { $0[3] = 0x32 })
        expect(.unsupportedVersion, offset: 4, decoding: altered { $0[4] = 2 })
        expect(.unknownFlags, offset: 5, decoding: altered { $0[5] = 0x81 })
        expect(.unknownFlags, offset: 5, decoding: altered { $0[5] = 0x04 })
        XCTAssertTrue(try FrameDecoder().decode(altered { $0[5] = FrameHeader.haloFlag }).halo, "bit 1 marks halo copies")
        let end = try encoder.encode(.end(partition: 1))
        expect(.inconsistentHeader, offset: 5, decoding: resealed({ var bytes = end; bytes[5] = FrameHeader.haloFlag; return bytes }()))
        expect(.unknownKind, offset: 6, decoding: altered { $0[6] = 0 })
        expect(.unknownKind, offset: 6, decoding: altered { $0[6] = 5 })
        expect(.unknownPayloadType, offset: 7, decoding: altered { $0[7] = 4 })
        expect(.truncated, decoding: altered { setU32(&$0, at: 28, UInt32(valid.count)) })
        expect(.trailingBytes, decoding: altered { setU32(&$0, at: 28, 1) })
        let small = FrameLimits(maxPayloadBytes: 10, maxRawBytes: 10, maxRecords: 5)
        expect(.limitExceeded, offset: 28, decoding: valid, limits: small)
        expect(.limitExceeded, offset: 24, decoding: valid, limits: FrameLimits(maxRawBytes: 10))
        expect(.limitExceeded, offset: 20, decoding: valid, limits: FrameLimits(maxRecords: 9))
        expect(.checksumMismatch, offset: 32, decoding: altered({ $0[40] ^= 1 }, reseal: false))
        expect(.inconsistentHeader, decoding: altered { $0[6] = FrameKind.barrier.rawValue })
        expect(.inconsistentHeader, decoding: altered { setU32(&$0, at: 24, 5) })
        expect(.inconsistentHeader, decoding: altered { setU32(&$0, at: 20, 1000) })
        expect(.malformedPayload, decoding: altered { setU32(&$0, at: 20, 9) })
        expect(.decompressionFailed, decoding: altered { $0[5] = 1 })
    }

    func testPayloadChecksCatchBadTagsIndexesAndUTF8() throws {
        var encoder = FrameEncoder(compression: false)
        let payloadStart = FrameHeader.size
        // Dictionary of one non-numeric string "ab": count 1, header 2 << 1, "a", "b".
        let events = [PointEvent(id: "ab", t: 0, point: .init(x: 1, y: 2))]
        let valid = try encoder.encode(.data(.points(events), partition: 0, epoch: 0))
        XCTAssertEqual(Array(valid[payloadStart..<payloadStart + 4]), [1, 4, 0x61, 0x62])
        func altered(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = valid
            change(&bytes)
            return resealed(bytes)
        }
        expect(.invalidUTF8, offset: payloadStart + 2, decoding: altered { $0[payloadStart + 2] = 0xFF })
        expect(.malformedPayload, offset: payloadStart + 4, decoding: altered { $0[payloadStart + 4] = 1 })  // index 1 of 1 entry
        expect(.malformedPayload, decoding: altered { $0[payloadStart + 5] = 7 })  // time unit
        expect(.limitExceeded, decoding: valid, limits: FrameLimits(maxStringBytes: 1))
        // Props nesting deeper than the limit.
        var deep = JSONValue.null
        for _ in 0..<20 { deep = .array([deep]) }
        let nested = try encoder.encode(.data(.points([PointEvent(id: "a", t: 0, point: .init(x: 0, y: 0), props: ["k": deep])]), partition: 0, epoch: 0))
        XCTAssertNoThrow(try FrameDecoder().decode(nested))
        expect(.limitExceeded, decoding: nested, limits: FrameLimits(maxNesting: 10))
    }

    /// A resealed frame whose ring coordinate became NaN is refused: no Polygon can hold NaN.
    func testNaNInAPolygonRingIsRejectedNotTrapped() throws {
        let x = 0.1 + 0.2  // not fixed point, so the batch is stored as raw bits
        let ring = [Point(x: x, y: 1), Point(x: 2, y: 1), Point(x: 2, y: 2), Point(x: x, y: 1)]
        let event = PolygonEvent(id: "p", t: 0, geometry: .polygon(Polygon(uncheckedExterior: ring)))
        var encoder = FrameEncoder(compression: false)
        var bytes = try encoder.encode(.data(.polygons([event]), partition: 0, epoch: 0))
        let pattern = withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) }
        let at = try XCTUnwrap((FrameHeader.size..<bytes.count - 8).first { Array(bytes[$0..<$0 + 8]) == pattern })
        withUnsafeBytes(of: Double.nan.bitPattern.littleEndian) { bytes.replaceSubrange(at..<at + 8, with: $0) }
        expect(.malformedPayload, decoding: resealed(bytes))
    }
}
