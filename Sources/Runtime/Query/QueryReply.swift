import Wire

/// Where one worker's window stood when it answered: lets a client (and the tests) see that every
/// worker has reached the watermark it expects before trusting an answer.
public struct WorkerWindow: Hashable, Sendable {
    /// `stage/partition`, the worker's identity at the gateway.
    public var worker: String
    /// End (exclusive) of the window it answered from; nil before its first watermark.
    public var windowEnd: Int64?
    /// Events in that window.
    public var windowCount: Int

    public init(worker: String, windowEnd: Int64?, windowCount: Int) {
        self.worker = worker
        self.windowEnd = windowEnd
        self.windowCount = windowCount
    }

    func appendJSON(to out: inout String) {
        out += "{\"worker\":"
        JSONWriter.appendString(worker, to: &out)
        out += ",\"window_end\":" + (windowEnd.map(String.init) ?? "null") + ",\"window_count\":\(windowCount)}"
    }

    init?(_ value: JSONValue) {
        guard case let .object(object) = value, case let .string(worker)? = object["worker"],
              case let .integer(count)? = object["window_count"] else { return nil }
        switch object["window_end"] {
        case let .integer(end)?: windowEnd = end
        case .null?: windowEnd = nil
        default: return nil
        }
        self.worker = worker
        windowCount = Int(count)
    }
}

/// The gateway's answer to a client: every match, merged over the workers, and each worker's window;
/// or an error (`{"ok":false,"error":...}`) naming what went wrong.
///
/// Wire form: `{"ok":true,"results":[<match>...],"workers":[{"worker","window_end","window_count"}...]}`.
public struct QueryReply: Hashable, Sendable {
    public var results: [QueryMatch]
    public var workers: [WorkerWindow]

    public init(results: [QueryMatch], workers: [WorkerWindow]) {
        self.results = results
        self.workers = workers
    }

    /// The result lines, as `geostream query` prints them.
    public var lines: [String] { results.map(\.json) }

    public var json: String {
        var out = "{\"ok\":true,\"results\":["
        for (index, match) in results.enumerated() {
            if index > 0 { out += "," }
            out += match.json
        }
        out += "],\"workers\":["
        for (index, worker) in workers.enumerated() {
            if index > 0 { out += "," }
            worker.appendJSON(to: &out)
        }
        out += "]}"
        return out
    }

    static func errorJSON(_ message: String) -> String {
        var out = "{\"ok\":false,\"error\":"
        JSONWriter.appendString(message, to: &out)
        out += "}"
        return out
    }

    /// Reads a gateway reply; an error reply throws its message as a `QueryError`.
    public init(json bytes: UnsafeRawBufferPointer) throws(QueryError) {
        guard case let .object(object)? = try? JSONValue(parsing: bytes) else {
            throw QueryError("the gateway's reply is not a JSON object")
        }
        if case .bool(false)? = object["ok"] {
            guard case let .string(message)? = object["error"] else { throw QueryError("the gateway replied with an error but no message") }
            throw QueryError(message)
        }
        guard case let .array(results)? = object["results"], case let .array(workers)? = object["workers"] else {
            throw QueryError("the gateway's reply lacks results or workers")
        }
        var matches: [QueryMatch] = []
        for value in results {
            guard let match = QueryMatch(value) else { throw QueryError("the gateway's reply holds a malformed result") }
            matches.append(match)
        }
        var windows: [WorkerWindow] = []
        for value in workers {
            guard let window = WorkerWindow(value) else { throw QueryError("the gateway's reply holds a malformed worker entry") }
            windows.append(window)
        }
        self.results = matches
        self.workers = windows
    }
}

/// One worker's answer to the gateway: its window and its matches, or why it could not answer.
struct WorkerAnswer {
    var window: WorkerWindow
    var matches: [QueryMatch]

    static func json(window: WorkerWindow, matches: [QueryMatch]) -> String {
        var out = "{\"window\":"
        window.appendJSON(to: &out)
        out += ",\"matches\":["
        for (index, match) in matches.enumerated() {
            if index > 0 { out += "," }
            out += match.json
        }
        out += "]}"
        return out
    }

    static func errorJSON(worker: String, _ message: String) -> String {
        var out = "{\"error\":"
        JSONWriter.appendString("worker \(worker): \(message)", to: &out)
        out += "}"
        return out
    }

    /// A worker's reply; a worker's own error (it could not read the request) comes back as its message.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<WorkerAnswer, QueryError> {
        guard case let .object(object)? = try? JSONValue(parsing: bytes) else { return .failure(QueryError("sent a reply that is not JSON")) }
        if case let .string(message)? = object["error"] { return .failure(QueryError(message)) }
        guard let windowValue = object["window"], let window = WorkerWindow(windowValue),
              case let .array(values)? = object["matches"] else { return .failure(QueryError("sent a malformed reply")) }
        var matches: [QueryMatch] = []
        for value in values {
            guard let match = QueryMatch(value) else { return .failure(QueryError("sent a malformed match")) }
            matches.append(match)
        }
        return .success(WorkerAnswer(window: window, matches: matches))
    }
}
