import XCTest
import Transport

final class SocketPatternTests: TransportTestCase {
    func testPushPullMultipartOverEveryTransport() throws {
        for endpoint in bindEndpoints("pushpull") {
            let pull = try makeSocket(.pull)
            let push = try makeSocket(.push)
            let bound = try pull.bind(endpoint)
            if case let .tcp(host, port) = bound {
                XCTAssertEqual(host, "127.0.0.1")
                XCTAssertNotNil(port, "tcp://127.0.0.1:* must come back with the OS-assigned port")
            }
            try push.connect(bound)
            let payload = (0..<70_000).map { UInt8($0 % 253) }
            XCTAssertTrue(try push.send(multipart: [Array("batch".utf8), [], payload]))
            let frames = try XCTUnwrap(pull.receiveMultipart(), "\(bound)")
            XCTAssertEqual(frames.map(\.bytes), [Array("batch".utf8), [], payload], "\(bound)")
            XCTAssertEqual(frames.map(\.hasMore), [true, true, false])
        }
    }

    func testPublishSubscribeDeliversOnlySubscribedTopics() throws {
        for endpoint in bindEndpoints("pubsub") {
            let publisher = try makeSocket(.extendedPublish)
            let subscriber = try makeSocket(.subscribe)
            let bound = try publisher.bind(endpoint)
            try subscriber.connect(bound)
            try subscriber.subscribe("alerts")
            // XPUB sees the subscription arrive, so publishing cannot race the slow-joiner window.
            let subscription = try XCTUnwrap(publisher.receive(), "no subscription reached the XPUB at \(bound)")
            XCTAssertEqual(subscription.bytes, [1] + Array("alerts".utf8))

            try publisher.send(multipart: [Array("stats".utf8), Array("{}".utf8)])
            try publisher.send(multipart: [Array("alerts".utf8), Array("{\"kind\":\"enter\"}".utf8)])
            let frames = try XCTUnwrap(subscriber.receiveMultipart())
            XCTAssertEqual(frames.map(\.string), ["alerts", "{\"kind\":\"enter\"}"], "stats must be filtered out")
            XCTAssertNil(try subscriber.receive(blocking: false))
        }
    }

    func testRequestRouterRoundTripCarriesThePeerIdentity() throws {
        for endpoint in bindEndpoints("reqrouter") {
            let router = try makeSocket(.router)
            let request = try makeSocket(.request)
            try router.setRouterMandatory(true)
            try request.setRoutingID(Array("worker-7".utf8))
            let bound = try router.bind(endpoint)
            try request.connect(bound)
            try request.send("nearest -74 40 3")
            let frames = try XCTUnwrap(router.receiveMultipart())
            XCTAssertEqual(frames.map(\.string), ["worker-7", "", "nearest -74 40 3"])
            try router.send(multipart: [frames[0].bytes, [], Array("[]".utf8)])
            XCTAssertEqual(try request.receive()?.string, "[]")
        }
    }

    func testZeroCopySendReleasesTheBufferOnceSent() throws {
        let pull = try makeSocket(.pull)
        let push = try makeSocket(.push)
        let bound = try pull.bind(.tcp(host: "127.0.0.1", port: nil))
        try push.connect(bound)
        weak var released: MessageBuffer?
        do {
            let buffer = MessageBuffer(copying: (0..<4_096).map { UInt8($0 & 0xFF) })
            released = buffer
            XCTAssertTrue(try push.send(taking: buffer))
        }
        let message = try XCTUnwrap(pull.receive())
        XCTAssertEqual(message.bytes, (0..<4_096).map { UInt8($0 & 0xFF) })
        // The I/O thread drops its reference after writing; give it a moment without spinning hot.
        for _ in 0..<200 where released != nil { usleep(5_000) }
        XCTAssertNil(released, "libzmq must release a zero-copy buffer after sending it")
    }
}
