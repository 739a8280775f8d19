import Foundation
public import Transport

/// Asks a running pipeline's gateway one query (`geostream query`, and tests).
///
/// A REQ socket, fresh per request so a lost reply never leaves it stuck in REQ's strict
/// send/receive alternation. It waits for the gateway's own timeout plus `margin`: when nothing
/// answers in that time, no pipeline with `query:` is listening at the endpoint, and the error
/// says so instead of hanging.
public enum QueryClient {
    public static func ask(_ request: QueryRequest, endpoint: String, context: MessagingContext,
                           marginMilliseconds: Int64 = 1_000) throws -> QueryReply {
        let parsed: Endpoint
        do {
            parsed = try Endpoint(parsing: endpoint)
        } catch {
            throw QueryError("--connect: \(error)")
        }
        let socket = try Socket(context, .request)
        defer { socket.close() }
        let waitMilliseconds = request.timeoutMilliseconds + marginMilliseconds
        try socket.setReceiveTimeout(milliseconds: Int32(clamping: waitMilliseconds))
        try socket.setSendTimeout(milliseconds: Int32(clamping: waitMilliseconds))
        try socket.connect(parsed)
        guard try socket.send(request.json) else {
            throw QueryError("cannot send the query to \(endpoint): nothing accepted it; is a pipeline with query: running there?")
        }
        guard let reply = try socket.receive() else {
            throw QueryError("no reply from \(endpoint) within \(QueryGateway.describe(milliseconds: waitMilliseconds)); is a pipeline with query: running there?")
        }
        return try reply.withUnsafeBytes { raw in try Result { () throws(QueryError) in try QueryReply(json: raw) }.get() }
    }
}
