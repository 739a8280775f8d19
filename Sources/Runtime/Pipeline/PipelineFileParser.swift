import GeoCore
import Transport
import Wire

/// The walk over one pipeline document, top-level sections here and stages in
/// `PipelineFileParser+Stages.swift`.
struct PipelineFileParser {
    static let topLevelKeys = ["name", "input", "bbox", "window", "stages", "checkpoint", "output", "query"]

    let source: String
    let baseDirectory: String
    /// Every endpoint the pipeline binds, to refuse the same one twice (the second bind would fail
    /// at run time, far from the line that caused it).
    var boundEndpoints: [(endpoint: Endpoint, node: LocatedNode)] = []

    /// Problems found so far; each section (and each stage) contributes at most its first, so
    /// one typo does not bury the rest under follow-on errors.
    var problems: [PipelineError] = []

    init(source: String, baseDirectory: String) {
        self.source = source
        self.baseDirectory = baseDirectory
    }

    /// Runs `body`, recording its error instead of throwing, so the other sections still get checked.
    mutating func recording<T>(_ body: (inout PipelineFileParser) throws(PipelineError) -> T) -> T? {
        do {
            return try body(&self)
        } catch {
            problems.append(error)
            return nil
        }
    }

    /// The spec, or nil when `problems` holds at least one error.
    mutating func pipeline(_ root: LocatedNode) -> PipelineSpec? {
        guard case .mapping = root.node, let top = try? root.mapping() else {
            problems.append(PipelineError(code: .syntax, source: source, line: root.line, message:
                "expected a mapping of pipeline keys (\(Self.topLevelKeys.joined(separator: ", "))) at the top, got \(root.shownAs)"))
            return nil
        }
        problems += top.unknownKeyErrors(known: Self.topLevelKeys)
        let name = recording { (_) throws(PipelineError) in try top.required("name", example: "fleet").identifier() }
        var input: InputSpec? = InputSpec()
        if let node = top.optional("input") { input = recording { (parser) throws(PipelineError) in try parser.input(node) } }
        var bbox: Rect? = PipelineSpec.world
        if let node = top.optional("bbox") { bbox = recording { (parser) throws(PipelineError) in try parser.bbox(node) } }
        let window = recording { (parser) throws(PipelineError) in
            try parser.window(top.required("window", example: "{ size: 60s, slide: 5s }"))
        }
        var stages: [StageSpec]?
        if let node = recording({ (_) throws(PipelineError) in try top.required("stages") }) { stages = self.stages(node) }
        var checkpoint: CheckpointSpec?
        if let node = top.optional("checkpoint") { checkpoint = recording { (parser) throws(PipelineError) in try parser.checkpoint(node) } }
        var output: OutputSpec? = OutputSpec()
        if let node = top.optional("output") { output = recording { (parser) throws(PipelineError) in try parser.output(node) } }
        var query: QuerySpec?
        if let node = top.optional("query") { query = recording({ (parser) throws(PipelineError) in try parser.query(node, stages: stages ?? []) }) ?? nil }
        guard problems.isEmpty, let name, let input, let bbox, let window, let stages, let output else { return nil }
        return PipelineSpec(name: name, input: input, bbox: bbox, window: window, stages: stages,
                            checkpoint: checkpoint, output: output, query: query, baseDirectory: baseDirectory)
    }

    mutating func input(_ node: LocatedNode) throws(PipelineError) -> InputSpec {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: ["format", "columns", "endpoint", "strict"])
        var spec = InputSpec()
        if let formatNode = mapping.optional("format") {
            let text = try formatNode.text(expected: "an input format")
            guard let format = InputFormat(rawValue: text) else {
                let known = InputFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw formatNode.error(.invalidValue, "unknown input format '\(text)' (known: \(known); leave out to detect)")
            }
            spec.format = format
        }
        if let columnsNode = mapping.optional("columns") {
            if let format = spec.format, format != .csv {
                throw columnsNode.error(.invalidValue, "columns applies only to csv input, and format is \(format.rawValue)", atKey: true)
            }
            let columns = try columnsNode.mapping()
            try columns.rejectUnknownKeys(known: CSVField.allCases.map(\.rawValue), what: "CSV field")
            var fieldsByHeader: [String: String] = [:]
            for entry in columns.entries {
                let header = try entry.value.string()
                if let other = fieldsByHeader[header] {
                    throw entry.value.error(.duplicate, "column '\(header)' is already mapped to field \(other)")
                }
                fieldsByHeader[header] = entry.name
                // rejectUnknownKeys has vouched for every name.
                spec.columns[CSVField(rawValue: entry.name)!] = header
            }
        }
        if let endpointNode = mapping.optional("endpoint") {
            spec.endpoint = try bindEndpoint(endpointNode)
        }
        spec.strict = try mapping.optional("strict")?.boolean() ?? false
        return spec
    }

    func bbox(_ node: LocatedNode) throws(PipelineError) -> Rect {
        let items = try node.list()
        guard items.count == 4 else {
            throw node.error(.invalidValue, "expected [minLon, minLat, maxLon, maxLat], got \(items.count) numbers")
        }
        var values: [Double] = []
        for (index, item) in items.enumerated() {
            let value = try item.finiteNumber()
            let isLongitude = index % 2 == 0
            let limit = isLongitude ? 180.0 : 90.0
            guard abs(value) <= limit else {
                let what = ["minLon", "minLat", "maxLon", "maxLat"][index]
                throw item.error(.invalidValue, "\(what) must be within -\(Int(limit))...\(Int(limit)), got \(value)")
            }
            values.append(value)
        }
        guard values[0] < values[2] else {
            throw node.error(.invalidValue, "minLon \(values[0]) must be less than maxLon \(values[2]) (a bbox cannot cross the antimeridian)")
        }
        guard values[1] < values[3] else {
            throw node.error(.invalidValue, "minLat \(values[1]) must be less than maxLat \(values[3])")
        }
        return Rect(minX: values[0], minY: values[1], maxX: values[2], maxY: values[3])
    }

    func window(_ node: LocatedNode) throws(PipelineError) -> WindowSpec {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: ["size", "slide", "lateness"])
        let sizeNode = try mapping.required("size", example: "60s")
        let slideNode = try mapping.required("slide", example: "5s")
        let size = try sizeNode.milliseconds()
        guard size > 0 else { throw sizeNode.error(.invalidValue, "must be positive") }
        let slide = try slideNode.milliseconds()
        guard slide > 0 else { throw slideNode.error(.invalidValue, "must be positive") }
        guard slide <= size else {
            throw slideNode.error(.invalidValue,
                                  "slide \(Quantity.format(milliseconds: slide)) is longer than size \(Quantity.format(milliseconds: size)); events between windows would be skipped")
        }
        let lateness = try mapping.optional("lateness")?.milliseconds() ?? 0
        return WindowSpec(size: size, slide: slide, lateness: lateness)
    }

    func checkpoint(_ node: LocatedNode) throws(PipelineError) -> CheckpointSpec {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: ["dir", "every", "keep"])
        let directory = try mapping.required("dir", example: ".geostream/fleet").string()
        let everyNode = try mapping.required("every", example: "10s")
        let everyText = try everyNode.text(expected: "a duration like 10s or a count like 10000 events")
        let every: CheckpointSpec.Every
        if let count = Quantity.eventCount(parsing: everyText) {
            guard count > 0 else { throw everyNode.error(.invalidValue, "must be at least 1 event") }
            every = .events(count)
        } else {
            let milliseconds: Int64
            do {
                milliseconds = try Quantity.milliseconds(parsing: everyText)
            } catch {
                throw everyNode.error(.invalidValue, "\(error.message), or a count like 10000 events")
            }
            guard milliseconds > 0 else { throw everyNode.error(.invalidValue, "must be positive") }
            every = .eventTime(milliseconds)
        }
        let keep = try mapping.optional("keep")?.integer(in: 1...Int.max) ?? 3
        return CheckpointSpec(directory: Self.resolve(directory, against: baseDirectory), every: every, keep: keep)
    }

    mutating func output(_ node: LocatedNode) throws(PipelineError) -> OutputSpec {
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: ["endpoint", "collect"])
        var spec = OutputSpec()
        if let endpointNode = mapping.optional("endpoint") { spec.endpoint = try bindEndpoint(endpointNode) }
        if let collectNode = mapping.optional("collect") { spec.collect = try bindEndpoint(collectNode) }
        return spec
    }

    /// `query:` — `true` (defaults), or `{endpoint, collect, stage}`.
    mutating func query(_ node: LocatedNode, stages: [StageSpec]) throws(PipelineError) -> QuerySpec? {
        if case .scalar = node.node {
            return try node.boolean() ? QuerySpec(endpoint: try bindDefault(QuerySpec.defaultEndpoint, node)) : nil
        }
        let mapping = try node.mapping()
        try mapping.rejectUnknownKeys(known: ["endpoint", "collect", "stage"])
        var spec = QuerySpec()
        if let endpointNode = mapping.optional("endpoint") { spec.endpoint = try bindEndpoint(endpointNode) } else {
            spec.endpoint = try bindDefault(QuerySpec.defaultEndpoint, node)
        }
        if let collectNode = mapping.optional("collect") { spec.collect = try bindEndpoint(collectNode) }
        if let stageNode = mapping.optional("stage") {
            let name = try stageNode.identifier()
            guard stages.isEmpty || stages.contains(where: { $0.name == name }) else {
                var message = "no stage is named '\(name)' (stages: \(stages.map(\.name).joined(separator: ", ")))"
                if let suggestion = ClosestName.suggestion(for: name, among: stages.map(\.name)) { message += "; did you mean `\(suggestion)`?" }
                throw stageNode.error(.invalidValue, message)
            }
            spec.stage = name
        }
        return spec
    }

    /// A default endpoint the file did not write, checked against the others like a written one.
    private mutating func bindDefault(_ endpoint: String, _ node: LocatedNode) throws(PipelineError) -> String {
        if let parsed = try? Endpoint(parsing: endpoint), let earlier = boundEndpoints.first(where: { $0.endpoint == parsed }) {
            let place = earlier.node.line.map { ", line \($0)" } ?? ""
            throw node.error(.duplicate, "the default query endpoint \(endpoint) is already bound by \(earlier.node.path)\(place): give query.endpoint")
        }
        return endpoint
    }

    /// Validates an endpoint some stage binds and refuses one already bound elsewhere in the file.
    mutating func bindEndpoint(_ node: LocatedNode) throws(PipelineError) -> String {
        let text = try node.endpoint()
        // node.endpoint() has parsed it once already.
        guard let endpoint = try? Endpoint(parsing: text) else { return text }
        let isWildcardPort = if case .tcp(_, nil) = endpoint { true } else { false }
        if !isWildcardPort, let earlier = boundEndpoints.first(where: { $0.endpoint == endpoint }) {
            let place = earlier.node.line.map { ", line \($0)" } ?? ""
            throw node.error(.duplicate, "endpoint \(text) is already bound by \(earlier.node.path)\(place)")
        }
        boundEndpoints.append((endpoint, node))
        return text
    }

    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
