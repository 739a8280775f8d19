import XCTest
import Foundation
import Transport

final class FlowAndErrorTests: TransportTestCase {
    func testFullHighWaterMarkBlocksInsteadOfDropping() throws {
        let push = try makeSocket(.push)
        let pull = try makeSocket(.pull)
        try push.setSendHighWaterMark(2)
        try pull.setReceiveHighWaterMark(2)
        let bound = try pull.bind(.inproc("hwm"))
        try push.connect(bound)
        var accepted = 0
        while try push.send([UInt8(accepted & 0xFF)], blocking: false) {
            accepted += 1
            XCTAssertLessThan(accepted, 10_000, "a high-water mark must stop the sender")
        }
        XCTAssertGreaterThan(accepted, 0)
        // Everything accepted is delivered, in order: nothing was dropped to make room.
        for expected in 0..<accepted {
            XCTAssertEqual(try pull.receive()?.bytes, [UInt8(expected & 0xFF)])
        }
        XCTAssertNil(try pull.receive(blocking: false))
        // Draining reactivates the pipe asynchronously, so wait (bounded) rather than expect it at once.
        try push.setSendTimeout(milliseconds: 5_000)
        XCTAssertTrue(try push.send([42]), "draining the queue lets the sender go on")
    }

    func testPollerReportsOnlyTheReadySocketAndTimesOut() throws {
        let first = try makeSocket(.pull), second = try makeSocket(.pull)
        let pushFirst = try makeSocket(.push), pushSecond = try makeSocket(.push)
        try pushFirst.connect(try first.bind(.inproc("poll-a")))
        try pushSecond.connect(try second.bind(.inproc("poll-b")))
        var poller = Poller()
        poller.add(first)
        poller.add(second)
        XCTAssertTrue(try poller.poll(timeoutMilliseconds: 20).isEmpty)
        try pushSecond.send("x")
        let ready = try poller.poll(timeoutMilliseconds: 5_000)
        XCTAssertEqual(ready.map(\.index), [1])
        XCTAssertTrue(ready[0].events.contains(.readable))
    }

    func testReceiveTimeoutReturnsNil() throws {
        let pull = try makeSocket(.pull, receiveTimeout: 30)
        try pull.bind(.inproc("timeout"))
        XCTAssertNil(try pull.receive())
    }

    func testBindingATakenPortNamesTheEndpointAndReason() throws {
        let first = try makeSocket(.pull), second = try makeSocket(.pull)
        let bound = try first.bind(.tcp(host: "127.0.0.1", port: nil))
        XCTAssertThrowsError(try second.bind(bound)) { error in
            let transportError = error as? TransportError
            XCTAssertEqual(transportError?.code, EADDRINUSE)
            XCTAssertEqual(transportError?.endpoint, bound.description)
            XCTAssertTrue("\(error)".contains("Address already in use"), "\(error)")
        }
    }

    func testUsingAClosedSocketIsAnErrorNotACrash() throws {
        let socket = try makeSocket(.push)
        socket.close()
        socket.close()
        XCTAssertThrowsError(try socket.send("x")) { XCTAssertEqual(($0 as? TransportError)?.code, ENOTSOCK) }
    }

    func testContextShutdownWakesABlockedReceiver() throws {
        let pull = try makeSocket(.pull, receiveTimeout: -1)
        try pull.bind(.inproc("shutdown"))
        let finished = expectation(description: "receiver saw termination")
        let thread = Thread {
            do {
                _ = try pull.receive()
            } catch let error as TransportError where error.isTerminated {
                pull.close()
                finished.fulfill()
            } catch {}
        }
        thread.start()
        usleep(50_000)
        context.shutdown()
        wait(for: [finished], timeout: 5)
    }
}
