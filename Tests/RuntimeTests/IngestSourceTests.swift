import XCTest
import Foundation
import Runtime
import Transport
import Wire

/// IngestSource over real sockets (tcp loopback on a free port, and inproc) and real files/pipes:
/// what arrives is decoded and compared with what the reader alone produces from the same bytes.
final class IngestSourceTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let csvSample = repository.appendingPathComponent("samples/ais-uscoast-2020-06-30-first2000.csv").path
    static let seqSample = repository.appendingPathComponent("samples/ais-uscoast-sample-first1000.geojsonl").path
    static let wktSample = repository.appendingPathComponent("samples/montreal-districts-2013-first3-wkt.csv").path

    func testEveryCSVSampleEventArrivesInOrderOverTCPWithEndLast() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        let bound = try pull.bind(.tcp(host: "127.0.0.1", port: nil))
        let push = try IngestSource.pushSocket(context, connectingTo: bound)
        defer { push.close() }
        var rejected: [Rejection] = []
        let source = IngestSource(options: IngestOptions(reader: ReaderOptions(source: "sample")), socket: push,
                                  rejections: { rejected.append($0) })
        let counters = try withFile(Self.csvSample) { try source.run(descriptor: $0) }

        let frames = try receiveUntilEnd(pull)
        let expected = try readerEvents(path: Self.csvSample)
        XCTAssertEqual(expected.count, 2_000)
        XCTAssertEqual(frames.last?.kind, .end)
        XCTAssertEqual(frames.dropLast().map(\.kind), Array(repeating: .data, count: frames.count - 1))
        XCTAssertEqual(events(in: frames), expected)
        XCTAssertEqual(frames.count, 3, "2,000 events in batches of 1,000, then end")
        XCTAssertEqual(counters.events, 2_000)
        XCTAssertEqual(counters.points, 2_000)
        XCTAssertEqual(counters.rejected, 0)
        XCTAssertEqual(counters.frames, 3)
        XCTAssertTrue(rejected.isEmpty)
        XCTAssertGreaterThan(counters.bytesRaw, counters.bytesSent, "LZ4 is on by default and shrinks AIS rows")
    }

    func testGeoJSONSeqSampleArrivesOverInprocWithSmallBatches() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.bind(.inproc("ingest-seq"))
        let push = try IngestSource.pushSocket(context, connectingTo: .inproc("ingest-seq"))
        defer { push.close() }
        let options = IngestOptions(reader: ReaderOptions(source: "seq"), batchSize: 64, compression: false)
        let source = IngestSource(options: options, socket: push, rejections: { _ in })
        let counters = try withFile(Self.seqSample) { try source.run(descriptor: $0) }

        let frames = try receiveUntilEnd(pull)
        let expected = try readerEvents(path: Self.seqSample)
        XCTAssertEqual(expected.count, 1_000)
        XCTAssertEqual(events(in: frames), expected)
        let dataCounts = frames.filter { $0.kind == .data }.map(\.payload.count)
        XCTAssertEqual(dataCounts.dropLast(), Array(repeating: 64, count: dataCounts.count - 1))
        XCTAssertEqual(dataCounts.last, 1_000 % 64)
        XCTAssertEqual(counters.frames, dataCounts.count + 1)
        XCTAssertEqual(counters.bytesRaw, counters.bytesSent, "--no-compress sends raw payloads")
    }

    func testRejectionsAreCountedReportedAndTheRestIsSent() throws {
        let input = """
            id,t,lon,lat
            a,1000,-73.5,45.5
            b,2000,-73.5,95.0
            c,oops,-73.5,45.5
            d,4000,-73.6,45.6

            """
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.bind(.inproc("ingest-rejections"))
        let push = try IngestSource.pushSocket(context, connectingTo: .inproc("ingest-rejections"))
        defer { push.close() }
        var rejected: [Rejection] = []
        let reader = ReaderOptions(source: "bad.csv", timeUnit: .milliseconds)
        let source = IngestSource(options: IngestOptions(reader: reader), socket: push, rejections: { rejected.append($0) })
        let counters = try withPipe(writing: Array(input.utf8)) { try source.run(descriptor: $0) }

        let frames = try receiveUntilEnd(pull)
        XCTAssertEqual(events(in: frames).map(\.id), ["a", "d"])
        XCTAssertEqual(counters.rejected, 2)
        XCTAssertEqual(rejected.map(\.line), [3, 4])
        XCTAssertTrue(rejected.allSatisfy { $0.source == "bad.csv" })
        XCTAssertEqual(counters.events, 2)
    }

    func testStrictStopsAtTheFirstRejectionAfterSendingWhatCameBefore() throws {
        let input = "id,t,lon,lat\na,1000,-73.5,45.5\nb,2000,-73.5,95.0\nc,3000,-73.5,45.5\n"
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.bind(.inproc("ingest-strict"))
        let push = try IngestSource.pushSocket(context, connectingTo: .inproc("ingest-strict"))
        defer { push.close() }
        let options = IngestOptions(reader: ReaderOptions(source: "strict.csv", timeUnit: .milliseconds), strict: true)
        let source = IngestSource(options: options, socket: push, rejections: { _ in })
        XCTAssertThrowsError(try withPipe(writing: Array(input.utf8)) { try source.run(descriptor: $0) }) { error in
            let ingestError = error as? IngestError
            XCTAssertEqual(ingestError?.code, .strictRejection)
            XCTAssertEqual(ingestError?.counters.rejected, 1)
            XCTAssertTrue(ingestError?.message.contains("line 3") == true, "\(error)")
        }
        let frames = try receiveUntilEnd(pull)
        XCTAssertEqual(events(in: frames).map(\.id), ["a"], "c, after the rejected line, is never sent")
    }

    func testPolygonsAndPointsGoInSeparateFramesInInputOrder() throws {
        let point = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[-73.6,45.5]},"properties":{"id":"p","t":1000}}"#
        let square = #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-73.6,45.5],[-73.5,45.5],[-73.5,45.6],[-73.6,45.5]]]},"properties":{"id":"q","t":1000}}"#
        let input = [point, point, square, point].joined(separator: "\n") + "\n"
        let frameFile = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-mixed-\(getpid()).frames").path
        defer { try? FileManager.default.removeItem(atPath: frameFile) }
        let writer = try FrameFileWriter(path: frameFile)
        let source = IngestSource(options: IngestOptions(reader: ReaderOptions(source: "mixed", timeUnit: .milliseconds)),
                                  socket: nil, frameFile: writer, rejections: { XCTFail("unexpected rejection \($0)") })
        let counters = try withPipe(writing: Array(input.utf8)) { try source.run(descriptor: $0) }
        XCTAssertEqual(counters.points, 3)
        XCTAssertEqual(counters.polygons, 1)
        let frames = try readFrameFile(frameFile)
        XCTAssertEqual(frames.map(\.payload.type), [.points, .polygons, .points, .none])
        XCTAssertEqual(frames.map(\.payload.count), [2, 1, 1, 0])
        XCTAssertEqual(events(in: frames).map(\.id), ["p", "p", "q", "p"])
    }

    func testWKTSampleArrivesAsOnePolygonFrameThroughAFrameFile() throws {
        let frameFile = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-polygons-\(getpid()).frames").path
        defer { try? FileManager.default.removeItem(atPath: frameFile) }
        let writer = try FrameFileWriter(path: frameFile)
        let source = IngestSource(options: IngestOptions(reader: ReaderOptions(source: "wkt")), socket: nil,
                                  frameFile: writer, rejections: { XCTFail("unexpected rejection \($0)") })
        let counters = try withFile(Self.wktSample) { try source.run(descriptor: $0) }
        XCTAssertEqual(counters.polygons, 3)
        XCTAssertEqual(counters.points, 0)

        let frames = try readFrameFile(frameFile)
        XCTAssertEqual(frames.map(\.kind), [.data, .end])
        guard case let .polygons(polygons) = frames[0].payload else { return XCTFail("expected polygons, got \(frames[0].payload.type)") }
        XCTAssertEqual(polygons.map(\.id), ["11", "12", "13"])
        XCTAssertEqual(events(in: frames), try readerEvents(path: Self.wktSample))
    }

    func testLingerClosesAPartialBatchWhileTheInputStaysOpen() throws {
        let context = try MessagingContext()
        defer { context.terminate() }
        let pull = try Socket(context, .pull)
        defer { pull.close() }
        try pull.setReceiveTimeout(milliseconds: 5_000)
        try pull.bind(.inproc("ingest-linger"))
        var descriptors: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&descriptors), 0)
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let thread = Thread {
            defer { done.signal() }
            do {
                let push = try IngestSource.pushSocket(context, connectingTo: .inproc("ingest-linger"))
                defer { push.close() }
                let options = IngestOptions(reader: ReaderOptions(source: "pipe", timeUnit: .milliseconds), batchSize: 1_000)
                let counters = try IngestSource(options: options, socket: push, rejections: { _ in }).run(descriptor: readEnd)
                outcome.set(counters: counters)
            } catch {
                outcome.set(error: "\(error)")
            }
        }
        thread.start()
        let text = "id,t,lon,lat\na,1000,-73.5,45.5\nb,2000,-73.6,45.6\nc,3000,-73.7,45.7\n"
        _ = text.withCString { write(writeEnd, $0, strlen($0)) }

        // The input is still open: only the 5 ms linger can close this batch of 3.
        let first = try XCTUnwrap(pull.receive(), "no frame arrived while the input stayed open")
        let frame = try FrameDecoder().decode(first.bytes)
        XCTAssertEqual(frame.kind, .data)
        XCTAssertEqual(frame.payload.count, 3)

        close(writeEnd)
        let end = try FrameDecoder().decode(try XCTUnwrap(pull.receive(), "no end frame after the input closed").bytes)
        XCTAssertEqual(end.kind, .end)
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        close(readEnd)
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.counters?.frames, 2)
    }

    // MARK: Helpers

    /// Receives frames until (and including) an `end` frame; each receive waits at most 5 s.
    func receiveUntilEnd(_ pull: Socket) throws -> [Frame] {
        try pull.setReceiveTimeout(milliseconds: 5_000)
        var frames: [Frame] = []
        while true {
            let message = try XCTUnwrap(pull.receive(), "timed out after \(frames.count) frames")
            let frame = try FrameDecoder().decode(message.bytes)
            frames.append(frame)
            if frame.kind == .end { return frames }
        }
    }

    func readFrameFile(_ path: String) throws -> [Frame] {
        let reader = try FrameFileReader(path: path)
        var frames: [Frame] = []
        while let record = try reader.next() { frames.append(try FrameDecoder().decode(record.bytes)) }
        return frames
    }

    func events(in frames: [Frame]) -> [InputEvent] {
        frames.flatMap { frame -> [InputEvent] in
            switch frame.payload {
            case let .points(points): points.map(InputEvent.point)
            case let .polygons(polygons): polygons.map(InputEvent.polygon)
            case .none, .results: []
            }
        }
    }

    func readerEvents(path: String) throws -> [InputEvent] {
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        return try EventReader.readAll(bytes, options: ReaderOptions()).compactMap {
            if case let .event(event) = $0 { return event }
            return nil
        }
    }

    func withFile<R>(_ path: String, _ body: (Int32) throws -> R) throws -> R {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileNoSuchFile) }
        defer { close(descriptor) }
        return try body(descriptor)
    }

    /// Runs `body` on the read end of a pipe already holding `bytes` (and closed for writing).
    func withPipe<R>(writing bytes: [UInt8], _ body: (Int32) throws -> R) throws -> R {
        var descriptors: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&descriptors), 0)
        precondition(bytes.count < 60_000, "must fit the pipe buffer")
        _ = bytes.withUnsafeBytes { write(descriptors[1], $0.baseAddress, $0.count) }
        close(descriptors[1])
        defer { close(descriptors[0]) }
        return try body(descriptors[0])
    }
}

/// What a background ingest run produced, handed back to the test thread.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var storedCounters: IngestCounters?
    private var storedError: String?

    func set(counters: IngestCounters) { lock.withLock { storedCounters = counters } }
    func set(error: String) { lock.withLock { storedError = error } }
    var counters: IngestCounters? { lock.withLock { storedCounters } }
    var error: String? { lock.withLock { storedError } }
}
