import Transport
import Yams

/// A YAML node with its key path and line, so that every value the loader reads can fail with a
/// message that says where.
///
/// The loader never reads a Yams `Node` directly: it walks `LocatedNode`s and `LocatedMapping`s,
/// whose accessors either return a typed value or throw a `PipelineError` already carrying the
/// file, line and key path.
struct LocatedNode {
    let node: Node
    /// `stages[1].partition`: what the user would search for in the file.
    let path: String
    /// Line of the key that names this node (or of the node itself for a list item or the root):
    /// where "missing key" errors point, since a block mapping's own mark is its first child.
    let keyLine: Int?
    let source: String

    var line: Int? { node.mark?.line ?? keyLine }
    var column: Int? { node.mark?.column }

    func error(_ code: PipelineError.Code, _ message: String, atKey: Bool = false) -> PipelineError {
        PipelineError(code: code, source: source, line: atKey ? keyLine ?? line : line,
                      column: atKey ? nil : column, keyPath: path, message: message)
    }

    /// How the node reads to a user: `a list`, `a mapping`, `'fifty'`, `nothing`.
    var shownAs: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case let .scalar(scalar): isNull ? "nothing" : "'\(scalar.string)'"
        }
    }

    /// `key:` with no value, `~` or `null`.
    var isNull: Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func mapping() throws(PipelineError) -> LocatedMapping {
        guard case let .mapping(mapping) = node else {
            throw error(.wrongType, "expected a mapping of keys, got \(shownAs)")
        }
        var entries: [LocatedMapping.Entry] = []
        for (key, value) in mapping {
            guard case let .scalar(keyScalar) = key else {
                throw PipelineError(code: .wrongType, source: source, line: key.mark?.line ?? line, keyPath: path,
                                    message: "mapping keys must be plain names")
            }
            let name = keyScalar.string
            entries.append(.init(
                name: name,
                value: LocatedNode(node: value, path: path.isEmpty ? name : "\(path).\(name)",
                                   keyLine: key.mark?.line ?? line, source: source)))
        }
        return LocatedMapping(node: self, entries: entries)
    }

    func list() throws(PipelineError) -> [LocatedNode] {
        guard case let .sequence(sequence) = node else {
            throw error(.wrongType, "expected a list, got \(shownAs)")
        }
        return sequence.enumerated().map { index, item in
            LocatedNode(node: item, path: "\(path)[\(index)]", keyLine: item.mark?.line ?? line, source: source)
        }
    }

    /// The scalar's text; `expected` completes "expected ..." when the node is not a scalar.
    func text(expected: String) throws(PipelineError) -> String {
        guard case let .scalar(scalar) = node, !isNull else {
            throw error(.wrongType, "expected \(expected), got \(shownAs)")
        }
        return scalar.string
    }

    func string() throws(PipelineError) -> String {
        let value = try text(expected: "text")
        guard !value.trimmingWhitespace.isEmpty else { throw error(.invalidValue, "must not be empty") }
        return value
    }

    /// Names of pipelines and stages end up in file names and topics: letters, digits, `_`, `-`.
    func identifier() throws(PipelineError) -> String {
        let value = try text(expected: "a name")
        let allowed = !value.isEmpty && value.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
        guard allowed else {
            throw error(.invalidValue, "'\(value)' is not a name: use letters, digits, '_' and '-' only")
        }
        return value
    }

    func integer(in range: ClosedRange<Int>) throws(PipelineError) -> Int {
        let value = try text(expected: "a whole number")
        guard let number = Int(value) else { throw error(.wrongType, "expected a whole number, got '\(value)'") }
        guard range.contains(number) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw error(.invalidValue, "must be \(bound), got \(number)")
        }
        return number
    }

    func boolean() throws(PipelineError) -> Bool {
        let value = try text(expected: "true or false")
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(.wrongType, "expected true or false, got '\(value)'")
        }
    }

    func finiteNumber() throws(PipelineError) -> Double {
        let value = try text(expected: "a number")
        guard let number = Double(value), number.isFinite else {
            throw error(.wrongType, "expected a number, got '\(value)'")
        }
        return number
    }

    func milliseconds() throws(PipelineError) -> Int64 {
        let value = try text(expected: "a duration like 500ms, 60s or 5m")
        do {
            return try Quantity.milliseconds(parsing: value)
        } catch {
            throw self.error(.invalidValue, error.message)
        }
    }

    func metres() throws(PipelineError) -> Double {
        let value = try text(expected: "a distance like 50m or 2km")
        do {
            return try Quantity.metres(parsing: value)
        } catch {
            throw self.error(.invalidValue, error.message)
        }
    }

    /// A ZeroMQ endpoint in the spelling `Transport.Endpoint` parses, returned as written.
    func endpoint() throws(PipelineError) -> String {
        let value = try text(expected: "an endpoint like tcp://127.0.0.1:5560")
        do {
            _ = try Endpoint(parsing: value)
        } catch {
            throw self.error(.invalidValue,
                             "\(error.description) (e.g. tcp://127.0.0.1:5560, ipc:///tmp/geostream.sock, inproc://name)")
        }
        return value
    }
}

/// A YAML mapping whose keys the loader consumes by name; what is left over is an unknown key.
struct LocatedMapping {
    struct Entry {
        let name: String
        let value: LocatedNode
    }

    let node: LocatedNode
    let entries: [Entry]

    func optional(_ key: String) -> LocatedNode? {
        entries.first { $0.name == key }?.value
    }

    /// The value of `key`; absent, the error points at the line naming this mapping.
    func required(_ key: String, example: String? = nil) throws(PipelineError) -> LocatedNode {
        if let value = optional(key) { return value }
        let hint = example.map { " (e.g. \(key): \($0))" } ?? ""
        throw node.error(.missingKey, "missing required key '\(key)'\(hint)", atKey: true)
    }

    /// Fails on the first key not in `known`, suggesting the nearest known one; `what` names the
    /// kind of key in the message ("unknown CSV field").
    func rejectUnknownKeys(known: [String], what: String = "key") throws(PipelineError) {
        if let first = unknownKeyErrors(known: known, what: what).first { throw first }
    }

    /// One error per key not in `known`, in file order.
    func unknownKeyErrors(known: [String], what: String = "key") -> [PipelineError] {
        entries.filter { !known.contains($0.name) }.map { entry in
            var message = "unknown \(what)"
            if let suggestion = ClosestName.suggestion(for: entry.name, among: known) {
                message += "; did you mean `\(suggestion)`?"
            } else {
                message += " (known here: \(known.joined(separator: ", ")))"
            }
            return entry.value.error(.unknownKey, message, atKey: true)
        }
    }
}
