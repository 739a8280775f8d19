import Foundation
import Transport

/// Where every stage of a pipeline listens: one PULL endpoint per worker (the source connects a PUSH
/// socket to each), the publisher's PULL (`collect`, every worker and the source push results
/// there) and its XPUB (`publish`, subscribers connect); with live queries, the gateway's two
/// ROUTERs (`query`).
///
/// The wiring carries the query settings so every process of a `--processes` run (each loading the
/// pipeline file itself) agrees on which stage answers and where, from the one supervisor's spec.
///
/// Bind and connect directions are fixed so a restarted process finds its peers again: workers and
/// the publisher bind, the source and workers connect.
public struct Wiring: Hashable, Sendable, Codable {
    /// `workers[stage][partition]`, in the pipeline's stage order.
    public var workers: [[String]]
    public var collect: String
    public var publish: String
    /// nil: the pipeline answers no queries, and no worker keeps a query index.
    public var query: QueryWiring?

    public init(workers: [[String]], collect: String, publish: String, query: QueryWiring? = nil) {
        self.workers = workers
        self.collect = collect
        self.publish = publish
        self.query = query
    }

    /// Embedded mode: every internal link over `inproc://`, named after the pipeline so two
    /// pipelines in one process never collide; results still published on the file's endpoint.
    public static func embedded(_ spec: PipelineSpec, instance: String = "") -> Wiring {
        let prefix = "inproc://geostream-\(spec.name)\(instance.isEmpty ? "" : "-" + instance)"
        return Wiring(
            workers: spec.stages.map { stage in (0..<stage.partition.workers).map { "\(prefix)-\(stage.name)-\($0)" } },
            collect: "\(prefix)-collect",
            publish: spec.output.endpoint,
            query: spec.query.map { QueryWiring(spec: spec, query: $0, collect: "\(prefix)-query") }
        )
    }

    /// Multi-process / multi-host mode from the pipeline file alone: each stage's `endpoints`, and
    /// `output.collect`; what the file leaves out gets consecutive loopback ports from 5600
    /// (collect 5600, then every worker in stage order, then `query.collect`).
    public static func fromFile(_ spec: PipelineSpec, basePort: Int = 5600) -> Wiring {
        var port = basePort + 1
        let workers = spec.stages.map { stage in
            (0..<stage.partition.workers).map { index -> String in
                defer { port += 1 }
                return stage.endpoints?[index] ?? "tcp://127.0.0.1:\(port)"
            }
        }
        return Wiring(workers: workers, collect: spec.output.collect ?? "tcp://127.0.0.1:\(basePort)", publish: spec.output.endpoint,
                      query: spec.query.map { QueryWiring(spec: spec, query: $0, collect: $0.collect ?? "tcp://127.0.0.1:\(port)") })
    }

    /// Loopback tcp with ports the OS reports free right now (`run --processes`). A port can be
    /// taken between this probe and the child's bind; the child then fails with a clear bind error.
    public static func freeLoopbackPorts(_ spec: PipelineSpec, publish: String? = nil) throws -> Wiring {
        var used = Set<UInt16>()
        func next() throws -> String {
            while true {
                let port = try probeFreeLoopbackPort()
                if used.insert(port).inserted { return "tcp://127.0.0.1:\(port)" }
            }
        }
        let workers = try spec.stages.map { stage in try (0..<stage.partition.workers).map { _ in try next() } }
        let collect = try next()
        let query = try spec.query.map { QueryWiring(spec: spec, query: $0, collect: try next()) }
        return Wiring(workers: workers, collect: collect, publish: publish ?? spec.output.endpoint, query: query)
    }

    public var workerCount: Int { workers.reduce(0) { $0 + $1.count } }

    /// The index a worker has among all workers of all stages: its identity on the publisher's inputs.
    public func globalIndex(stage: Int, partition: Int) -> Int {
        workers[..<stage].reduce(0) { $0 + $1.count } + partition
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> Wiring {
        try JSONDecoder().decode(Wiring.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Where live queries travel (`QuerySpec` resolved): clients to `endpoint`, workers of `stage` to `collect`.
public struct QueryWiring: Hashable, Sendable, Codable {
    /// The stage whose workers answer (the file's `query.stage`, else the first stage).
    public var stage: String
    public var endpoint: String
    public var collect: String

    public init(stage: String, endpoint: String, collect: String) {
        self.stage = stage
        self.endpoint = endpoint
        self.collect = collect
    }

    init(spec: PipelineSpec, query: QuerySpec, collect: String) {
        self.init(stage: query.stage ?? spec.stages.first?.name ?? "", endpoint: query.endpoint, collect: collect)
    }
}

/// Binds a throwaway socket to 127.0.0.1:0 and returns the port the kernel chose.
func probeFreeLoopbackPort() throws -> UInt16 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw RuntimeError("cannot create a socket to find a free port: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw RuntimeError("cannot bind 127.0.0.1:0 to find a free port: \(String(cString: strerror(errno)))") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw RuntimeError("getsockname failed: \(String(cString: strerror(errno)))") }
    return UInt16(bigEndian: address.sin_port)
}

/// A runtime failure with a message for the user (endpoint, stage and cause named).
public struct RuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Endpoint {
    /// Parses an endpoint from a pipeline or wiring file, naming the role in the error.
    static func parse(_ text: String, role: String) throws -> Endpoint {
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw RuntimeError("\(role) endpoint: \(error)")
        }
    }
}

extension PipelineSpec {
    /// The same pipeline with every stage's worker count set to `workers` (`--workers`), and the
    /// stages' fixed `endpoints` dropped (they were listed per worker).
    public func withWorkers(_ workers: Int) -> PipelineSpec {
        var copy = self
        for index in copy.stages.indices {
            copy.stages[index].partition.workers = workers
            copy.stages[index].endpoints = nil
        }
        return copy
    }
}
