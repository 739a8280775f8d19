import GeoCore
import TestSupport
import XCTest
@testable import Wire

/// Random batches encode and decode to equal frames, with and without LZ4, coordinates bit-exact.
final class CodecRoundTripTests: XCTestCase {
    private func assertRoundTrip(_ frame: Frame, compression: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        var encoder = FrameEncoder(compression: compression)
        let bytes = try encoder.encode(frame)
        let decoded = try FrameDecoder().decode(bytes)
        XCTAssertEqual(decoded, frame, file: file, line: line)
        XCTAssertEqual(coordinateBits(decoded.payload), coordinateBits(frame.payload), "coordinates not bit-exact", file: file, line: line)
        let header = try bytes.withUnsafeBytes { try FrameDecoder().header(of: $0) }
        XCTAssertEqual(Int(header.count), frame.payload.count, file: file, line: line)
        XCTAssertEqual(Int(header.payloadLength) + FrameHeader.size, bytes.count, file: file, line: line)
        if !compression { XCTAssertFalse(header.compressed, file: file, line: line) }
    }

    func testRandomFramesRoundTripWithAndWithoutLZ4() throws {
        var data = CodecTestData(seed: 1)
        var compressedFrames = 0
        for _ in 0..<250 {
            let frame = data.frame(maxRecords: 80)
            try assertRoundTrip(frame, compression: false)
            try assertRoundTrip(frame, compression: true)
            var encoder = FrameEncoder()
            let header = try encoder.encode(frame).withUnsafeBytes { try FrameDecoder().header(of: $0) }
            if header.compressed { compressedFrames += 1 }
        }
        XCTAssertGreaterThan(compressedFrames, 50, "LZ4 path should be exercised by many frames")
    }

    func testOneReusedEncoderGivesTheSameBytesAsAFreshOne() throws {
        var data = CodecTestData(seed: 2)
        var reused = FrameEncoder()
        var output: [UInt8] = []
        for _ in 0..<60 {
            let frame = data.frame(maxRecords: 100)
            try reused.encode(frame, into: &output)
            var fresh = FrameEncoder()
            XCTAssertEqual(output, try fresh.encode(frame))
            XCTAssertEqual(try FrameDecoder().decode(output), frame)
        }
    }

    func testEveryCoordinateStyleAndEdgeRoundTripsBitExactly() throws {
        let edges: [Double] = [180, -180, 90, -90, 0, -0.0, 1e-7, -1e-7, 0.1 + 0.2, 1e300, .leastNonzeroMagnitude, 179.9999999]
        var events: [PointEvent] = []
        for (i, x) in edges.enumerated() {
            for y in edges { events.append(PointEvent(id: "e\(i % 3)", t: Int64(i), point: Point(x: x, y: y))) }
        }
        for compression in [false, true] {
            try assertRoundTrip(.data(.points(events), partition: 1, epoch: 2), compression: compression)
        }
        // Each decimal exponent 0...7 gives a fixed-point batch, and round-trips.
        for exponent in 0...7 {
            let scale = Columns.powersOfTen[exponent]
            let batch = (0..<50).map { (i: Int) -> PointEvent in
                let x = Double(i * 7919 % 3_600_000 - 1_800_000) / scale
                let y = Double(-i) / scale
                return PointEvent(id: "v\(i % 7)", t: Int64(i) * 1000, point: Point(x: x, y: y))
            }
            try assertRoundTrip(.data(.points(batch), partition: 0, epoch: 0), compression: true)
        }
    }

    func testSpecialValuesAndNonFiniteCoordinatesSurviveInRawMode() throws {
        let events = [
            PointEvent(id: "a", t: .min, point: Point(x: .infinity, y: -.infinity)),
            PointEvent(id: "a", t: .max, point: Point(x: -0.0, y: 0.0)),
        ]
        var encoder = FrameEncoder(compression: false)
        let decoded = try FrameDecoder().decode(try encoder.encode(.data(.points(events), partition: 0, epoch: 0)))
        XCTAssertEqual(decoded.payload, .points(events))
        XCTAssertEqual(coordinateBits(decoded.payload), coordinateBits(.points(events)))
    }

    func testFixedPointChoiceFollowsTheFinestDecimalInTheBatch() {
        func exponent(_ values: [Double]) -> Int? {
            let points = values.map { Point(x: $0, y: 0) }
            return points.withUnsafeBufferPointer { Columns.decimalExponent($0) }
        }
        XCTAssertEqual(exponent([1, 2, -180]), 0)
        XCTAssertEqual(exponent([-86.98504, 34.62055]), 5)
        XCTAssertEqual(exponent([-86.98504, 1.1234567]), 7)
        XCTAssertNil(exponent([1.12345678]))
        XCTAssertNil(exponent([-0.0]))
        XCTAssertNil(exponent([.nan]))
    }

    func testControlFramesCarryKindPartitionAndEpoch() throws {
        let frames: [Frame] = [
            .barrier(42, partition: 7), .watermark(-1_593_476_532_000, partition: 3), .watermark(.min, partition: 0),
            .watermark(.max, partition: 0), .end(partition: .max, epoch: .max), .data(.none, partition: 1, epoch: 5),
            .data(.points([]), partition: 1, epoch: 5), .data(.polygons([]), partition: 1, epoch: 5),
            .data(.results([]), partition: 1, epoch: 5),
        ]
        for frame in frames {
            var encoder = FrameEncoder()
            let bytes = try encoder.encode(frame)
            XCTAssertEqual(try FrameDecoder().decode(bytes), frame)
            if frame.payload.type == .none { XCTAssertEqual(bytes.count, FrameHeader.size) }
        }
        XCTAssertEqual(Frame.watermark(-5, partition: 0).watermark, -5)
        XCTAssertEqual(Frame.watermark(-5, partition: 0).epoch, 9, "zigzag: -5 -> 9")
        XCTAssertNil(Frame.barrier(1, partition: 0).watermark)
    }

    func testEncoderRefusesAControlFrameWithRecords() {
        var encoder = FrameEncoder()
        let frame = Frame(kind: .barrier, partition: 0, epoch: 1, payload: .results([ResultRecord(topic: "a", t: 0, json: "{}")]))
        XCTAssertThrowsError(try encoder.encode(frame)) { error in
            XCTAssertEqual((error as? FrameError)?.code, .unencodable)
        }
    }

    func testNumericIdsComeBackAsTheSameText() throws {
        let ids = ["0", "00", "01", "367151850", "123456789012345678", "1234567890123456789", "18446744073709551615", "+1", "1 ", "１"]
        XCTAssertEqual(ids.map { Columns.canonicalDecimal($0) != nil }, [true, false, false, true, true, false, false, false, false, false])
        let events = ids.enumerated().map { PointEvent(id: $1, t: Int64($0), point: Point(x: 1, y: 2)) }
        var encoder = FrameEncoder()
        XCTAssertEqual(try FrameDecoder().decode(try encoder.encode(.data(.points(events), partition: 0, epoch: 0))).payload, .points(events))
    }

    /// A GPS-like clustered stream (vehicles moving a few metres between fixes, whole-second times,
    /// 5-decimal coordinates): the columnar layout must beat raw 32-byte rows at least 3x.
    func testClusteredGPSLikeBatchIsAtLeastThreeTimesSmallerThanRawRows() throws {
        var random = SeededGenerator(seed: 9)
        var positions = (0..<300).map { _ in (random.nextDouble(in: -74.1..<(-73.8)), random.nextDouble(in: 40.6..<40.9)) }
        var t: Int64 = 1_593_476_532_000
        var events: [PointEvent] = []
        for _ in 0..<1000 {
            let vehicle = Int(random.next() % 300)
            positions[vehicle].0 += random.nextDouble(in: -0.0005..<0.0005)
            positions[vehicle].1 += random.nextDouble(in: -0.0005..<0.0005)
            t += Int64(random.next() % 2) * 1000
            let lon = (positions[vehicle].0 * 1e5).rounded() / 1e5
            let lat = (positions[vehicle].1 * 1e5).rounded() / 1e5
            events.append(PointEvent(id: String(366_000_000 + vehicle * 977), t: t, point: Point(lon: lon, lat: lat)))
        }
        var encoder = FrameEncoder()
        let bytes = try encoder.encode(.data(.points(events), partition: 0, epoch: 0))
        XCTAssertGreaterThanOrEqual(Double(32 * events.count) / Double(bytes.count), 3.0, "frame is \(bytes.count) bytes")
        XCTAssertEqual(try FrameDecoder().decode(bytes).payload, .points(events))
    }

    /// The interner's raw-bits cache must still merge equal strings held in different storage.
    func testInternerTreatsEqualStringsInDifferentStorageAsOne() {
        var interner = StringInterner()
        interner.reset(expected: 4)
        let long = String(repeating: "long id ", count: 5)
        var built = String(repeating: "long id ", count: 4)
        built += "long id "
        let ids = [long, built, "short", "sh" + "ort", long, "other"]
        let indexes = ids.withUnsafeBufferPointer { ids in
            (0..<ids.count).map { interner.index(ofStringAt: UnsafeRawPointer(ids.baseAddress! + $0)) }
        }
        XCTAssertEqual(indexes, [0, 0, 1, 1, 0, 2])
        XCTAssertEqual(interner.strings, [long, "short", "other"])
    }

    func testHaloFlagRoundTripsWithAndWithoutCompression() throws {
        let events = (0..<50).map { PointEvent(id: "v\($0 % 7)", t: 1_000 + Int64($0), point: .init(x: Double($0) * 0.01, y: 45)) }
        for compression in [false, true] {
            var encoder = FrameEncoder(compression: compression)
            for halo in [false, true] {
                let frame = Frame.data(.points(events), partition: 3, epoch: 9, halo: halo)
                let decoded = try FrameDecoder().decode(try encoder.encode(frame))
                XCTAssertEqual(decoded, frame)
                XCTAssertEqual(decoded.halo, halo)
            }
        }
    }
}
