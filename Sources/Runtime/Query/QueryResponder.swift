import Foundation
import Transport

/// A query-stage worker's link to the gateway: a DEALER connected to `QueryWiring.collect` with
/// identity `stage/partition`, answering each request from the worker's window.
///
/// The worker polls this socket together with its input and calls `answerWaiting` when it is
/// readable, so queries are answered between batches and an idle worker blocks in `zmq_poll`.
/// Messages are `[request id, body]` both ways (the gateway's ROUTER adds and strips the identity).
/// - Warning: Use on the worker's thread.
final class QueryResponder {
    let socket: Socket
    let identity: String

    init(_ context: MessagingContext, connectingTo endpoint: String, stage: String, partition: Int) throws {
        identity = "\(stage)/\(partition)"
        socket = try Socket(context, .dealer)
        try socket.setRoutingID(Array(identity.utf8))
        // Answers nobody waits for any more are worth nothing: never block on them.
        try socket.setSendHighWaterMark(100)
        try socket.connect(try Endpoint.parse(endpoint, role: "query collect"))
    }

    /// Answers every request already waiting, without blocking.
    func answerWaiting(_ index: WorkerQueryIndex) throws {
        while let frames = try socket.receiveMultipart(blocking: false) {
            guard frames.count == 2 else { continue }
            let body: String
            do {
                let request = try frames[1].withUnsafeBytes { raw in try Result { () throws(QueryError) in try QueryRequest(json: raw) }.get() }
                let window = WorkerWindow(worker: identity, windowEnd: index.windowEnd, windowCount: index.windowCount)
                body = WorkerAnswer.json(window: window, matches: index.answer(request))
            } catch {
                body = WorkerAnswer.errorJSON(worker: identity, "\(error)")
            }
            // A full queue means the gateway is gone or stalled; it reports this worker as silent.
            _ = try socket.send(multipart: [frames[0].bytes, Array(body.utf8)], blocking: false)
        }
    }

    func close() { socket.close() }
}
