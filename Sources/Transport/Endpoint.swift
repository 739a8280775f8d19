/// A ZeroMQ endpoint, typed so that loopback checks and free-port binds are explicit.
///
/// `tcp` with `port: nil` binds an OS-assigned free port (`tcp://host:*`); read the real endpoint back
/// from `Socket.bind`, which returns it.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case inproc(String)
    case ipc(path: String)
    case tcp(host: String, port: UInt16?)

    /// Parses `inproc://name`, `ipc:///path` and `tcp://host:port` (port may be `*`; IPv6 hosts in brackets).
    public init(parsing text: String) throws(EndpointParseError) {
        if text.hasPrefix("inproc://") {
            let name = String(text.dropFirst("inproc://".count))
            guard !name.isEmpty else { throw EndpointParseError(text: text, reason: "inproc endpoint needs a name") }
            self = .inproc(name)
        } else if text.hasPrefix("ipc://") {
            let path = String(text.dropFirst("ipc://".count))
            guard !path.isEmpty else { throw EndpointParseError(text: text, reason: "ipc endpoint needs a path") }
            self = .ipc(path: path)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":") else {
                throw EndpointParseError(text: text, reason: "tcp endpoint needs host:port")
            }
            var host = String(rest[..<colon])
            let portText = rest[rest.index(after: colon)...]
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw EndpointParseError(text: text, reason: "tcp endpoint needs a host") }
            if portText == "*" || portText == "0" {
                self = .tcp(host: host, port: nil)
            } else if let port = UInt16(portText), port > 0 {
                self = .tcp(host: host, port: port)
            } else {
                throw EndpointParseError(text: text, reason: "port must be 1-65535 or *")
            }
        } else {
            throw EndpointParseError(text: text, reason: "expected inproc://, ipc:// or tcp://")
        }
    }

    /// True for endpoints no other machine can reach: inproc, ipc, and tcp on 127.0.0.0/8, ::1 or localhost.
    public var isLoopback: Bool {
        switch self {
        case .inproc, .ipc: true
        case let .tcp(host, _): host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }

    public var description: String {
        switch self {
        case let .inproc(name): "inproc://\(name)"
        case let .ipc(path): "ipc://\(path)"
        case let .tcp(host, port):
            "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port.map(String.init) ?? "*")"
        }
    }
}

public struct EndpointParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid endpoint '\(text)': \(reason)" }
}
