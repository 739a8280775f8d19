import Foundation
public import Transport

/// Scatter-gather for live queries: clients' REQ sockets send requests to a ROUTER at
/// `QueryWiring.endpoint`; each goes to every worker of the query stage over a second ROUTER at
/// `QueryWiring.collect` (workers connect DEALERs, identity `stage/partition`), and the merged
/// answers go back as one reply.
///
/// Requests are served one at a time (each waits at most its timeout), which keeps the gateway a
/// single loop with no per-request state beyond the one in flight; replies to an earlier request
/// that arrive late are recognised by their request id and dropped. A worker that does not answer
/// within the timeout, or is not connected, makes the reply an error naming it.
///
/// It runs on its own thread (embedded) or beside the publisher in the publisher's process, never
/// in the publisher's loop, so a slow query cannot delay results.
/// - Warning: Create on any thread, then use on one thread only.
public final class QueryGateway {
    public let query: QueryWiring
    /// The client endpoint as bound (a `*` port resolved).
    public let boundEndpoint: String
    private let clients: Socket
    private let workers: Socket
    private let workerNames: [String]
    private var requestNumber: UInt64 = 0
    public private(set) var answered = 0

    public init(spec: PipelineSpec, wiring: Wiring, context: MessagingContext) throws {
        guard let query = wiring.query else { throw RuntimeError("pipeline \(spec.name) has no query: section") }
        guard let stage = spec.stages.firstIndex(where: { $0.name == query.stage }) else {
            throw RuntimeError("query.stage '\(query.stage)' is not a stage of pipeline \(spec.name); stages: \(spec.stages.map(\.name).joined(separator: ", "))")
        }
        self.query = query
        workerNames = (0..<wiring.workers[stage].count).map { "\(query.stage)/\($0)" }
        clients = try Socket(context, .router)
        workers = try Socket(context, .router)
        do {
            boundEndpoint = try clients.bind(try Endpoint.parse(query.endpoint, role: "query")).description
        } catch {
            clients.close()
            workers.close()
            throw RuntimeError("cannot answer queries on \(query.endpoint) (query.endpoint): \(error); is another pipeline running there?")
        }
        do {
            try workers.setRouterMandatory(true)
            try workers.bind(try Endpoint.parse(query.collect, role: "query collect"))
        } catch {
            clients.close()
            workers.close()
            throw RuntimeError("cannot listen for query workers on \(query.collect) (query.collect): \(error)")
        }
    }

    /// Serves requests until `stop` is set (checked every 100 ms) or the context is shut down.
    public func run(until stop: StopFlag) throws {
        var poller = Poller()
        poller.add(clients)
        poller.add(workers)
        do {
            while !stop.isSet {
                let ready = try poller.poll(timeoutMilliseconds: 100)
                if ready.contains(where: { $0.index == 1 }) {
                    // Late answers to requests already replied to.
                    while try workers.receiveMultipart(blocking: false) != nil {}
                }
                guard ready.contains(where: { $0.index == 0 }) else { continue }
                while let frames = try clients.receiveMultipart(blocking: false) {
                    // REQ peers send [identity, empty delimiter, body]; anything else is not a client.
                    guard frames.count == 3, frames[1].count == 0 else { continue }
                    let reply = try answer(frames[2])
                    _ = try clients.send(multipart: [frames[0].bytes, [], Array(reply.utf8)], blocking: false)
                    answered += 1
                }
            }
        } catch let error as TransportError where error.isTerminated {
            // The pipeline is shutting down.
        }
    }

    private func answer(_ body: Message) throws -> String {
        let request: QueryRequest
        do {
            request = try body.withUnsafeBytes { raw in try Result { () throws(QueryError) in try QueryRequest(json: raw) }.get() }
        } catch {
            return QueryReply.errorJSON("\(error)")
        }
        requestNumber += 1
        let id = Array(String(requestNumber).utf8)
        let payload = body.bytes
        var missing: [Int: String] = [:]
        for (partition, name) in workerNames.enumerated() {
            if let problem = try send([Array(name.utf8), id, payload], to: name) { missing[partition] = problem }
        }

        var answers: [Int: WorkerAnswer] = [:]
        var failures: [Int: String] = missing
        let deadline = monotonicNanoseconds() &+ UInt64(request.timeoutMilliseconds) * 1_000_000
        var poller = Poller()
        poller.add(workers)
        while answers.count + failures.count < workerNames.count {
            let now = monotonicNanoseconds()
            guard now < deadline else { break }
            let wait = Int((deadline - now + 999_999) / 1_000_000)
            guard !(try poller.poll(timeoutMilliseconds: wait)).isEmpty else { continue }
            while let frames = try workers.receiveMultipart(blocking: false) {
                guard frames.count == 3, frames[1].bytes == id,
                      let partition = workerNames.firstIndex(of: frames[0].string) else { continue }
                switch frames[2].withUnsafeBytes({ WorkerAnswer.parse($0) }) {
                case let .success(answer): answers[partition] = answer
                case let .failure(error): failures[partition] = error.message.hasPrefix("worker ") ? error.message : "worker \(workerNames[partition]) \(error.message)"
                }
            }
        }
        for partition in workerNames.indices where answers[partition] == nil && failures[partition] == nil {
            failures[partition] = "worker \(workerNames[partition]) did not answer within \(Self.describe(milliseconds: request.timeoutMilliseconds))"
        }
        if !failures.isEmpty {
            return QueryReply.errorJSON(failures.sorted { $0.key < $1.key }.map(\.value).joined(separator: "; "))
        }
        let all = workerNames.indices.flatMap { answers[$0]!.matches }
        var limit: Int?
        if case let .nearest(_, k) = request.shape { limit = k }
        let reply = QueryReply(results: QueryMatch.merge(all, limit: limit), workers: workerNames.indices.map { answers[$0]!.window })
        return reply.json
    }

    /// Sends one request to one worker; returns why it could not be delivered, or nil.
    private func send(_ frames: [[UInt8]], to name: String) throws -> String? {
        let result = Result { () throws(TransportError) -> Bool in try workers.send(multipart: frames, blocking: false) }
        switch result {
        case .success(true): return nil
        case .success(false): return "worker \(name) is not keeping up with queries"
        case let .failure(error) where error.code == EHOSTUNREACH:
            return "worker \(name) is not connected to the query gateway (\(query.collect))"
        case let .failure(error): throw error
        }
    }

    /// `2s`, `1500ms`: how the timeout reads in an error.
    static func describe(milliseconds: Int64) -> String {
        milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }

    public func close() {
        clients.close()
        workers.close()
    }
}

/// A flag one thread sets and another polls: how a pipeline tells its gateway to stop.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    public init() {}
    public var isSet: Bool { lock.withLock { set } }
    public func raise() { lock.withLock { set = true } }
}
