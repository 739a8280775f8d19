import XCTest
import Foundation
import Transport

/// `geostream subscribe` as a child process against an XPUB this test binds and publishes on. The
/// XPUB sees the subscription arrive, so nothing is published before the subscriber listens.
final class SubscribeCommandTests: XCTestCase {
    func testCountStopsAfterTwoMessagesAndMalformedOnesAreSkipped() throws {
        let (context, publisher, endpoint) = try bindPublisher()
        defer { context.terminate() }
        defer { publisher.close() }
        let child = try ChildProcess(["subscribe", "alerts", "--connect", endpoint.description, "--count", "2", "--timeout", "20s"])
        defer { child.stop() }
        let subscription = try XCTUnwrap(publisher.receive(), "the subscriber never subscribed")
        XCTAssertEqual(subscription.bytes, [1] + Array("alerts".utf8))

        try publisher.send(Array("alerts".utf8))  // one frame only: malformed
        try publisher.send(multipart: [Array("alerts".utf8), Array("not json".utf8)])
        try publisher.send(multipart: [Array("stats".utf8), Array(#"{"topic":"stats"}"#.utf8)])  // not subscribed
        try publisher.send(multipart: [Array("alerts".utf8), Array(#"{"topic":"alerts", "seq":1,"kind":"enter","object":"v1","lon":-73.5,"lat":45.5}"#.utf8)])
        try publisher.send(multipart: [Array("alerts".utf8), Array("{\"topic\":\"alerts\",\n\"seq\":2,\"id\":12345678901234567890}".utf8)])
        try publisher.send(multipart: [Array("alerts".utf8), Array(#"{"topic":"alerts","seq":3}"#.utf8)])

        let result = child.finish()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            {"topic":"alerts","seq":1,"kind":"enter","object":"v1","lon":-73.5,"lat":45.5}
            {"topic":"alerts","seq":2,"id":1.2345678901234567e+19}

            """)
        XCTAssertTrue(result.stderr.contains("skipped a message of 1 frame(s)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("skipped a 'alerts' message whose body is not a JSON object"), result.stderr)
    }

    func testGeoJSONPrintsFeaturesForPositionsAndFootprintsOnly() throws {
        let (context, publisher, endpoint) = try bindPublisher()
        defer { context.terminate() }
        defer { publisher.close() }
        let child = try ChildProcess(["subscribe", "--connect", endpoint.description, "--geojson", "--count", "2", "--timeout", "20s"])
        defer { child.stop() }
        let subscription = try XCTUnwrap(publisher.receive(), "the subscriber never subscribed")
        XCTAssertEqual(subscription.bytes, [1], "no topic subscribes to everything")

        try publisher.send(multipart: [Array("alerts".utf8), Array(#"{"topic":"alerts","seq":1,"object":"v1","lon":-73,"lat":45.5}"#.utf8)])
        try publisher.send(multipart: [Array("stats".utf8), Array(#"{"topic":"stats","seq":2,"events_in":10}"#.utf8)])
        try publisher.send(multipart: [Array("dissolved".utf8), Array(#"{"topic":"dissolved","seq":3,"footprint":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"members":["a","b"]}"#.utf8)])

        let result = child.finish()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-73.0,45.5]},"properties":{"topic":"alerts","seq":1,"object":"v1"}}
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"topic":"dissolved","seq":3,"members":["a","b"]}}

            """)
    }

    func testTimeoutAndSIGTERMBothExitCleanly() throws {
        let (context, publisher, endpoint) = try bindPublisher()
        defer { context.terminate() }
        defer { publisher.close() }
        let idle = try runGeostream(["subscribe", "--connect", endpoint.description, "--timeout", "300ms"])
        XCTAssertEqual(idle.status, 0, idle.stderr)
        XCTAssertTrue(idle.stderr.contains("no message for 300ms"), idle.stderr)
        _ = try publisher.receive()  // that subscriber's subscription
        _ = try publisher.receive()  // and its unsubscription on close (or a timeout)

        let child = try ChildProcess(["subscribe", "--connect", endpoint.description])
        defer { child.stop() }
        _ = try XCTUnwrap(publisher.receive(), "the subscriber never subscribed")
        kill(child.process.processIdentifier, SIGTERM)
        let result = child.finish(timeout: 5)
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testUsageErrorsExitWith64() throws {
        let badTimeout = try runGeostream(["subscribe", "--timeout", "5"])
        XCTAssertEqual(badTimeout.status, 64)
        XCTAssertTrue(badTimeout.stderr.contains("--timeout takes a positive duration"), badTimeout.stderr)
        let badCount = try runGeostream(["subscribe", "--count", "0"])
        XCTAssertEqual(badCount.status, 64)
        XCTAssertTrue(badCount.stderr.contains("--count must be at least 1"), badCount.stderr)
    }

    private func bindPublisher() throws -> (MessagingContext, Socket, Endpoint) {
        let context = try MessagingContext()
        let publisher = try Socket(context, .extendedPublish)
        try publisher.setReceiveTimeout(milliseconds: 10_000)
        let endpoint = try publisher.bind(.tcp(host: "127.0.0.1", port: nil))
        return (context, publisher, endpoint)
    }
}
