/// Why a pipeline file was refused, and where: the file, the line, and the key path inside it.
///
/// `description` is the compiler-style `fleet.yaml:7: stages[1].eps: expected a distance like 50m
/// or 2km, got 'fifty'` so editors and terminals can jump to the line. The line is nil only when the
/// file could not be read at all; the key path is empty when the problem is the whole document (a
/// YAML syntax error, a top-level key missing).
public struct PipelineError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but could not be read (a directory, no permission, not UTF-8).
        case unreadable
        /// Not YAML, or YAML that is not a mapping of pipeline keys at the top.
        case syntax
        /// A key the schema does not know at that place.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong kind: a list where a mapping belongs, text where a number does.
        case wrongType
        /// A value of the right kind that is out of range or malformed (`fifty` as a distance).
        case invalidValue
        /// A name or key given twice (stage names, endpoints, YAML mapping keys).
        case duplicate
        /// An operator name that is not (or not yet) implemented.
        case unknownOperator
    }

    public var code: Code
    /// The file as the user named it (or the `sourceName` given to `PipelineLoader.load(yaml:...)`).
    public var source: String
    /// 1-based line of the offending key or value.
    public var line: Int?
    /// 1-based column, when YAML reported one.
    public var column: Int?
    /// `stages[1].partition.workers`: dots between keys, brackets around list indexes.
    public var keyPath: String
    public var message: String

    public init(code: Code, source: String, line: Int? = nil, column: Int? = nil, keyPath: String = "", message: String) {
        self.code = code
        self.source = source
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}
