import XCTest
import CZeroMQ

/// Proves the CZeroMQ system-library target links and works: a real PUSH/PULL round trip.
final class ZeroMQTests: XCTestCase {
    func testPushPullOverInproc() throws {
        try roundTrip(bindEndpoint: "inproc://system-library-test")
    }

    func testPushPullOverTCPLoopbackOnAFreePort() throws {
        // Port 0 in zmq syntax is "*": the OS picks a free port; ZMQ_LAST_ENDPOINT tells which.
        try roundTrip(bindEndpoint: "tcp://127.0.0.1:*")
    }

    func testVersionIsAtLeastFour() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        XCTAssertGreaterThanOrEqual(major, 4)
    }

    private func roundTrip(bindEndpoint: String) throws {
        let context = try XCTUnwrap(zmq_ctx_new())
        defer { zmq_ctx_term(context) }
        let pull = try XCTUnwrap(zmq_socket(context, ZMQ_PULL))
        let push = try XCTUnwrap(zmq_socket(context, ZMQ_PUSH))
        defer {
            var linger: Int32 = 0
            zmq_setsockopt(push, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
            zmq_setsockopt(pull, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
            zmq_close(push)
            zmq_close(pull)
        }
        var timeout: Int32 = 5_000
        zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, MemoryLayout<Int32>.size)

        XCTAssertEqual(zmq_bind(pull, bindEndpoint), 0, String(cString: zmq_strerror(zmq_errno())))
        var endpointBuffer = [CChar](repeating: 0, count: 256)
        var endpointLength = endpointBuffer.count
        XCTAssertEqual(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, &endpointBuffer, &endpointLength), 0)
        let endpoint = String(decoding: endpointBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if bindEndpoint.hasPrefix("tcp://") {
            XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
            XCTAssertFalse(endpoint.hasSuffix(":*"), "the OS should have assigned a concrete port")
        }
        XCTAssertEqual(zmq_connect(push, endpoint), 0, String(cString: zmq_strerror(zmq_errno())))

        // Several messages of different sizes, including empty and larger than one TCP segment.
        let messages: [[UInt8]] = [Array("hello".utf8), [], (0..<100_000).map { UInt8($0 % 251) }]
        for message in messages {
            let sent = message.withUnsafeBytes { zmq_send(push, $0.baseAddress, $0.count, 0) }
            XCTAssertEqual(Int(sent), message.count)
        }
        for message in messages {
            var frame = zmq_msg_t()
            zmq_msg_init(&frame)
            defer { zmq_msg_close(&frame) }
            let received = zmq_msg_recv(&frame, pull, 0)
            XCTAssertEqual(Int(received), message.count, String(cString: zmq_strerror(zmq_errno())))
            let size = zmq_msg_size(&frame)
            let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: zmq_msg_data(&frame), count: size))
            XCTAssertEqual(bytes, message)
        }
    }
}
