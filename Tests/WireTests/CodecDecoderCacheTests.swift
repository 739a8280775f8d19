import Dispatch
import Foundation
import GeoCore
import TestSupport
import XCTest
@testable import Wire

/// A decoder reused across frames remembers dictionary Strings; what it decodes must not change.
final class CodecDecoderCacheTests: XCTestCase {
    func testAReusedDecoderDecodesEveryFrameLikeAFreshOne() throws {
        var data = CodecTestData(seed: 21)
        var encoder = FrameEncoder()
        let reused = FrameDecoder()
        for _ in 0..<400 {
            let frame = data.frame(maxRecords: 60)
            let bytes = try encoder.encode(frame)
            let decoded = try reused.decode(bytes)
            XCTAssertEqual(decoded, frame)
            XCTAssertEqual(decoded, try FrameDecoder().decode(bytes))
        }
    }

    /// Far more distinct ids than the cache holds, numeric and text, each id seen in many frames:
    /// evicted and colliding slots must still give the right id.
    func testEvictionAndSlotCollisionsKeepIdsExact() throws {
        var random = SeededGenerator(seed: 22)
        let ids = (0..<12_000).map { i -> String in
            switch i % 4 {
            case 0: String(100_000_000 + i * 7)
            case 1: "v-\(i)"
            case 2: "船\(i)🚢 long enough to be stored out of line"
            default: "0\(i)"  // leading zero: a text entry that looks numeric
            }
        }
        var encoder = FrameEncoder(compression: false)
        let decoder = FrameDecoder()
        for frameNumber in 0..<120 {
            let events = (0..<500).map { i in
                PointEvent(id: ids[Int(random.next() % UInt64(ids.count))], t: Int64(frameNumber * 500 + i), point: Point(x: 1, y: 2))
            }
            let frame = Frame.data(.points(events), partition: 0, epoch: 0)
            XCTAssertEqual(try decoder.decode(try encoder.encode(frame)), frame)
        }
    }

    /// Text entries with the same length and nearly the same bytes must not be taken for each other.
    func testSimilarTextIdsAreNotConfused() throws {
        let ids = ["ab", "ba", "a\u{0}", "\u{0}a", "é", "e\u{301}", "", " ", "abcdefgh", "abcdefgi", "abcdefghabcdefgh", "abcdefghabcdefgi"]
        var encoder = FrameEncoder()
        let decoder = FrameDecoder()
        for rotation in 0..<ids.count {
            let rotated = Array(ids[rotation...] + ids[..<rotation])
            let events = rotated.enumerated().map { PointEvent(id: $1, t: Int64($0), point: Point(x: 0, y: 0)) }
            let frame = Frame.data(.points(events), partition: 0, epoch: 0)
            let decoded = try decoder.decode(try encoder.encode(frame))
            XCTAssertEqual(decoded, frame)
            guard case let .points(decodedEvents) = decoded.payload else { return XCTFail("not points") }
            XCTAssertEqual(decodedEvents.map { Array($0.id.utf8) }, rotated.map { Array($0.utf8) })
        }
    }

    /// One decoder shared by several threads: each decodes its frames correctly, whether or not it
    /// got the cache.
    func testADecoderSharedAcrossThreadsDecodesCorrectly() throws {
        var data = CodecTestData(seed: 23)
        var encoder = FrameEncoder()
        let frames = (0..<200).map { _ in data.frame(maxRecords: 40) }
        let encoded = try frames.map { try encoder.encode($0) }
        let decoder = FrameDecoder()
        let threads = 4
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<5 {
                for index in stride(from: (thread + round) % threads, to: frames.count, by: 1) {
                    tally.add(decoded: (try? decoder.decode(encoded[index])) == frames[index])
                }
            }
        }
        XCTAssertEqual(tally.counts.wrong, 0)
        XCTAssertGreaterThan(tally.counts.right, 3 * 5 * frames.count)
    }
}

/// Right and wrong decodes counted from several threads.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var right = 0
    private var wrong = 0

    func add(decoded correctly: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if correctly { right += 1 } else { wrong += 1 }
    }

    var counts: (right: Int, wrong: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (right, wrong)
    }
}
