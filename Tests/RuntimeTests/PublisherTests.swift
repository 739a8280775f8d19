import Foundation
import GeoCore
import Operators
import Runtime
import Transport
import Wire
import XCTest

/// The publisher alone, fed by hand over inproc: hostile frames are published on `rejected` and
/// the good results around them still come out, in release order.
final class PublisherTests: XCTestCase {
    func testGarbageAndMisaddressedFramesAreRejectedAndGoodResultsStillPublished() throws {
        let spec = PipelineSpec(
            name: "pub",
            window: WindowSpec(size: 10_000, slide: 5_000),
            stages: [StageSpec(name: "heat", partition: PartitionSpec(by: .space, workers: 1), operatorSpec: .heatmap(HeatmapSpec(cells: .level(3))))]
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("geostream-pub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out.ndjson").path
        let context = try MessagingContext()
        defer { context.terminate() }
        let wiring = Wiring(workers: [["inproc://pub-w0"]], collect: "inproc://pub-collect", publish: "tcp://127.0.0.1:*")
        let publisher = try Publisher(spec: spec, wiring: wiring, context: context, outPath: out)
        let done = DispatchSemaphore(value: 0)
        let box = PublisherBox(publisher)
        Thread {
            do { try box.publisher.run() } catch { box.failure = error }
            box.publisher.close()
            done.signal()
        }.start()

        let sender = try FrameSender(context, connectingTo: wiring.collect)
        defer { sender.close() }
        try sender.socket.send([0x47, 0x53, 0x42, 0x31, 0xFF])  // truncated garbage
        try sender.send(.data(.points([PointEvent(id: "a", t: 1, point: Point(x: 0, y: 0))]), partition: 0, epoch: 0))
        try sender.send(.data(.results([ResultRecord(topic: "heatmap", t: 5_000, json: #"{"cell":"3/4/3","count":2}"#)]), partition: 7, epoch: 0))
        try sender.send(.data(.results([ResultRecord(topic: "heatmap", t: 5_000, json: #"{"cell":"3/4/3","count":2}"#)]), partition: 0, epoch: 0))
        try sender.send(.end(partition: 0))
        try sender.send(.end(partition: 1))
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success, "the publisher did not end")
        XCTAssertNil(box.failure)

        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        let rejected = lines.filter { $0.hasPrefix(#"{"topic":"rejected""#) }
        XCTAssertEqual(rejected.count, 3, lines.joined(separator: "\n"))
        XCTAssertTrue(rejected[0].contains("bad frame: frame truncated"), rejected[0])
        XCTAssertTrue(rejected[1].contains("input 0 sent points records; the publisher takes results only"), rejected[1])
        XCTAssertTrue(rejected[2].contains("frame from input 7, but this pipeline has 2 inputs"), rejected[2])
        let heat = lines.filter { $0.hasPrefix(#"{"topic":"heatmap""#) }
        XCTAssertEqual(heat.count, 1)
        XCTAssertTrue(heat[0].contains(#""cell":"3/4/3","count":2"#), heat[0])
        XCTAssertEqual(publisher.counters.badFrames, 3)
    }
}

private final class PublisherBox: @unchecked Sendable {
    let publisher: Publisher
    var failure: (any Error)?
    init(_ publisher: Publisher) { self.publisher = publisher }
}
