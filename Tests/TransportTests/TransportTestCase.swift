import XCTest
import Foundation
import Transport

/// Shared plumbing: one context per test, closed sockets and removed ipc files at the end.
class TransportTestCase: XCTestCase {
    var context: MessagingContext!
    private var sockets: [Socket] = []
    private var temporaryPaths: [String] = []

    override func setUpWithError() throws {
        context = try MessagingContext()
    }

    override func tearDown() {
        for socket in sockets { socket.close() }
        sockets = []
        context.terminate()
        context = nil
        for path in temporaryPaths { try? FileManager.default.removeItem(atPath: path) }
    }

    func makeSocket(_ kind: SocketKind, receiveTimeout: Int32 = 5_000) throws -> Socket {
        let socket = try Socket(context, kind)
        try socket.setReceiveTimeout(milliseconds: receiveTimeout)
        sockets.append(socket)
        return socket
    }

    /// The three transports, each with a bind endpoint that cannot collide with another test run.
    func bindEndpoints(_ name: String) -> [Endpoint] {
        let ipcPath = NSTemporaryDirectory() + "geostream-test-\(getpid())-\(name)"
        temporaryPaths.append(ipcPath)
        return [.inproc("\(name)-\(UUID().uuidString)"), .ipc(path: ipcPath), .tcp(host: "127.0.0.1", port: nil)]
    }
}
