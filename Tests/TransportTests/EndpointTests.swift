import XCTest
import Transport

final class EndpointTests: XCTestCase {
    func testParsesAndPrintsEveryForm() throws {
        let cases: [(String, Endpoint)] = [
            ("inproc://source", .inproc("source")),
            ("ipc:///tmp/geo.sock", .ipc(path: "/tmp/geo.sock")),
            ("tcp://127.0.0.1:5560", .tcp(host: "127.0.0.1", port: 5560)),
            ("tcp://127.0.0.1:*", .tcp(host: "127.0.0.1", port: nil)),
            ("tcp://[::1]:7000", .tcp(host: "::1", port: 7000)),
        ]
        for (text, endpoint) in cases {
            XCTAssertEqual(try Endpoint(parsing: text), endpoint)
            XCTAssertEqual(endpoint.description, text)
        }
    }

    func testRejectsMalformedEndpointsWithAReason() {
        for text in ["", "udp://x:1", "tcp://host", "tcp://:80", "tcp://h:70000", "tcp://h:-1", "inproc://"] {
            XCTAssertThrowsError(try Endpoint(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(text.isEmpty ? "''" : text), "\(error)")
            }
        }
    }

    func testLoopbackClassification() throws {
        XCTAssertTrue(try Endpoint(parsing: "tcp://127.0.0.1:1").isLoopback)
        XCTAssertTrue(try Endpoint(parsing: "tcp://localhost:1").isLoopback)
        XCTAssertTrue(try Endpoint(parsing: "inproc://x").isLoopback)
        XCTAssertFalse(try Endpoint(parsing: "tcp://0.0.0.0:1").isLoopback)
        XCTAssertFalse(try Endpoint(parsing: "tcp://10.1.2.3:1").isLoopback)
    }
}
